//! Object identifiers of GM/T 0006 (prefix `1.2.156.10197`) and GM/T 0010.

use der::asn1::ObjectIdentifier as Oid;

/// The SM2 curve (`1.2.156.10197.1.301`), also the SPKI curve parameter.
pub const SM2: Oid = Oid::new_unwrap("1.2.156.10197.1.301");
/// SM2 digital signature (`…1.301.1`).
pub const SM2_SIGN: Oid = Oid::new_unwrap("1.2.156.10197.1.301.1");
/// SM2 key exchange (`…1.301.2`). GmSSL also uses this OID as "sm2encrypt" in CMS: accept it
/// there, emit [`SM2_ENCRYPT`].
pub const SM2_EXCHANGE: Oid = Oid::new_unwrap("1.2.156.10197.1.301.2");
/// SM2 public-key encryption (`…1.301.3`).
pub const SM2_ENCRYPT: Oid = Oid::new_unwrap("1.2.156.10197.1.301.3");
/// SM3 (`…1.401`).
pub const SM3: Oid = Oid::new_unwrap("1.2.156.10197.1.401");
/// SM3 without key (`…1.401.1`).
pub const SM3_NO_KEY: Oid = Oid::new_unwrap("1.2.156.10197.1.401.1");
/// HMAC-SM3 / SM3 with key (`…1.401.2`).
pub const HMAC_SM3: Oid = Oid::new_unwrap("1.2.156.10197.1.401.2");
/// SM2 signature with SM3 (`…1.501`).
pub const SM2_WITH_SM3: Oid = Oid::new_unwrap("1.2.156.10197.1.501");
/// SHA-1 with SM2 (`…1.502`).
pub const SHA1_WITH_SM2: Oid = Oid::new_unwrap("1.2.156.10197.1.502");
/// SHA-256 with SM2 (`…1.503`).
pub const SHA256_WITH_SM2: Oid = Oid::new_unwrap("1.2.156.10197.1.503");
/// RSA with SM3 (`…1.504`).
pub const RSA_WITH_SM3: Oid = Oid::new_unwrap("1.2.156.10197.1.504");
/// SM4 (`…1.104`).
pub const SM4: Oid = Oid::new_unwrap("1.2.156.10197.1.104");
/// SM4-ECB (`…1.104.1`).
pub const SM4_ECB: Oid = Oid::new_unwrap("1.2.156.10197.1.104.1");
/// SM4-CBC (`…1.104.2`).
pub const SM4_CBC: Oid = Oid::new_unwrap("1.2.156.10197.1.104.2");
/// SM4-OFB (`…1.104.3`).
pub const SM4_OFB: Oid = Oid::new_unwrap("1.2.156.10197.1.104.3");
/// SM4-CFB (`…1.104.4`).
pub const SM4_CFB: Oid = Oid::new_unwrap("1.2.156.10197.1.104.4");
/// SM4-CTR (`…1.104.7`).
pub const SM4_CTR: Oid = Oid::new_unwrap("1.2.156.10197.1.104.7");
/// SM4-GCM (`…1.104.8`).
pub const SM4_GCM: Oid = Oid::new_unwrap("1.2.156.10197.1.104.8");
/// id-ecPublicKey (RFC 5480), the SPKI algorithm of SM2 keys.
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");

/// GM/T 0010 `data` content type.
pub const GMT0010_DATA: Oid = Oid::new_unwrap("1.2.156.10197.6.1.4.2.1");
/// GM/T 0010 `signedData`.
pub const GMT0010_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.156.10197.6.1.4.2.2");
/// GM/T 0010 `envelopedData`.
pub const GMT0010_ENVELOPED_DATA: Oid = Oid::new_unwrap("1.2.156.10197.6.1.4.2.3");
/// GM/T 0010 `signedAndEnvelopedData`.
pub const GMT0010_SIGNED_AND_ENVELOPED_DATA: Oid = Oid::new_unwrap("1.2.156.10197.6.1.4.2.4");
/// GM/T 0010 `encryptedData`.
pub const GMT0010_ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.156.10197.6.1.4.2.5");
/// GM/T 0010 `keyAgreementInfo`.
pub const GMT0010_KEY_AGREEMENT_INFO: Oid = Oid::new_unwrap("1.2.156.10197.6.1.4.2.6");
/// PKCS #9 `contentType` attribute (`1.2.840.113549.1.9.3`), an authenticated attribute of
/// GM/T 0010 / PKCS #7 `SignerInfo`.
pub const PKCS9_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
/// PKCS #9 `messageDigest` attribute (`1.2.840.113549.1.9.4`): here SM3 of the content.
pub const PKCS9_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
/// PKCS #9 `signingTime` attribute (`1.2.840.113549.1.9.5`).
pub const PKCS9_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");

/// The GM/T 0006 name of an OID from this table, if known.
///
/// ```
/// assert_eq!(mpay_gmt::oid::name(&mpay_gmt::oid::SM2_WITH_SM3), Some("sm2sign-with-sm3"));
/// ```
pub fn name(oid: &Oid) -> Option<&'static str> {
    TABLE.iter().find(|(o, _)| o == oid).map(|(_, n)| *n)
}

/// Every OID of this module with its name.
pub const TABLE: &[(Oid, &str)] = &[
    (SM2, "sm2"),
    (SM2_SIGN, "sm2sign"),
    (SM2_EXCHANGE, "sm2exchange"),
    (SM2_ENCRYPT, "sm2encrypt"),
    (SM3, "sm3"),
    (SM3_NO_KEY, "sm3-nokey"),
    (HMAC_SM3, "hmac-sm3"),
    (SM2_WITH_SM3, "sm2sign-with-sm3"),
    (SHA1_WITH_SM2, "sha1-with-sm2"),
    (SHA256_WITH_SM2, "sha256-with-sm2"),
    (RSA_WITH_SM3, "rsa-with-sm3"),
    (SM4, "sm4"),
    (SM4_ECB, "sm4-ecb"),
    (SM4_CBC, "sm4-cbc"),
    (SM4_OFB, "sm4-ofb"),
    (SM4_CFB, "sm4-cfb"),
    (SM4_CTR, "sm4-ctr"),
    (SM4_GCM, "sm4-gcm"),
    (EC_PUBLIC_KEY, "id-ecPublicKey"),
    (GMT0010_DATA, "data"),
    (GMT0010_SIGNED_DATA, "signedData"),
    (GMT0010_ENVELOPED_DATA, "envelopedData"),
    (GMT0010_SIGNED_AND_ENVELOPED_DATA, "signedAndEnvelopedData"),
    (GMT0010_ENCRYPTED_DATA, "encryptedData"),
    (GMT0010_KEY_AGREEMENT_INFO, "keyAgreementInfo"),
    (PKCS9_CONTENT_TYPE, "contentType"),
    (PKCS9_MESSAGE_DIGEST, "messageDigest"),
    (PKCS9_SIGNING_TIME, "signingTime"),
];
