//! `#[derive(Iso8583)]` for `mpay-iso8583`: maps a struct with named fields to a message.
//!
//! Each field carries `#[iso8583(N)]` (a data element number) or `#[iso8583("60.1")]` /
//! `#[iso8583("55.9F26")]` (a path); its type implements `mpay_iso8583::FieldValue` (`String`,
//! `Vec<u8>`, `u64`, `u32`, `u16`, and `Option` of those for optional fields). The generated
//! `mpay_iso8583::Iso8583` impl writes the fields into a `Message` and reads them back; fields
//! without the attribute are not allowed (every field maps somewhere). The crate using the
//! derive depends on `mpay-iso8583` under that name.
#![forbid(unsafe_code)]

use proc_macro::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Expr, ExprLit, Fields, Lit, parse_macro_input, spanned::Spanned};

/// Derives `mpay_iso8583::Iso8583` (see the crate docs).
#[proc_macro_derive(Iso8583, attributes(iso8583))]
pub fn derive_iso8583(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn path_of(field: &syn::Field) -> syn::Result<String> {
    let mut found = None;
    for attr in &field.attrs {
        if !attr.path().is_ident("iso8583") {
            continue;
        }
        let expr: Expr = attr.parse_args()?;
        let path = match &expr {
            Expr::Lit(ExprLit {
                lit: Lit::Int(i), ..
            }) => {
                let n: u16 = i.base10_parse()?;
                if !(1..=192).contains(&n) {
                    return Err(syn::Error::new(i.span(), "field numbers are 1..=192"));
                }
                n.to_string()
            }
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => {
                let v = s.value();
                let head = v.split('.').next().unwrap_or("");
                if head
                    .parse::<u16>()
                    .map_or(true, |n| !(1..=192).contains(&n))
                {
                    return Err(syn::Error::new(
                        s.span(),
                        "a path starts with a field number 1..=192, e.g. \"55.9F26\"",
                    ));
                }
                v
            }
            other => {
                return Err(syn::Error::new(
                    other.span(),
                    "expected a field number or a path string: #[iso8583(2)] or #[iso8583(\"60.1\")]",
                ));
            }
        };
        if found.replace(path).is_some() {
            return Err(syn::Error::new(
                attr.span(),
                "more than one #[iso8583] on a field",
            ));
        }
    }
    found.ok_or_else(|| {
        syn::Error::new(
            field.span(),
            "every field needs #[iso8583(N)] or #[iso8583(\"path\")]",
        )
    })
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let name = &input.ident;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.span(),
            "#[derive(Iso8583)] needs a struct",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new(
            input.span(),
            "#[derive(Iso8583)] needs named fields",
        ));
    };
    let mut puts = Vec::new();
    let mut gets = Vec::new();
    for f in &fields.named {
        let ident = f.ident.as_ref().expect("named field");
        let path = path_of(f)?;
        let ty = &f.ty;
        puts.push(quote! {
            ::mpay_iso8583::FieldValue::put(&self.#ident, m, #path)?;
        });
        gets.push(quote! {
            #ident: <#ty as ::mpay_iso8583::FieldValue>::get(m, #path)?,
        });
    }
    let (impl_g, ty_g, where_c) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_g ::mpay_iso8583::Iso8583 for #name #ty_g #where_c {
            fn write_to(&self, m: &mut ::mpay_iso8583::Message<'_>) -> ::mpay_iso8583::Result<()> {
                #(#puts)*
                ::core::result::Result::Ok(())
            }
            fn read_from(m: &::mpay_iso8583::Message<'_>) -> ::mpay_iso8583::Result<Self> {
                ::core::result::Result::Ok(Self { #(#gets)* })
            }
        }
    })
}
