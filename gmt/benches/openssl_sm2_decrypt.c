/* SM2 decryption speed of the system OpenSSL, for the same-run comparison in
 * openssl_speed.sh (`openssl speed` has no SM2 decryption). Reports decryptions per second of
 * process CPU time for a 32-byte message, like `openssl speed` reports CPU time.
 * Build: cc -O2 openssl_sm2_decrypt.c -lcrypto */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    double secs = argc > 1 ? atof(argv[1]) : 2.0;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    if (key == NULL) return 1;
    unsigned char msg[32] = {0x22}, ct[256], pt[64];
    size_t ctlen = sizeof ct, ptlen;
    EVP_PKEY_CTX *ectx = EVP_PKEY_CTX_new(key, NULL);
    if (EVP_PKEY_encrypt_init(ectx) <= 0 || EVP_PKEY_encrypt(ectx, ct, &ctlen, msg, sizeof msg) <= 0)
        return 1;
    EVP_PKEY_CTX *dctx = EVP_PKEY_CTX_new(key, NULL);
    if (EVP_PKEY_decrypt_init(dctx) <= 0) return 1;
    long n = 0;
    double start = cpu_seconds(), now;
    do {
        for (int i = 0; i < 100; i++) {
            ptlen = sizeof pt;
            if (EVP_PKEY_decrypt(dctx, pt, &ptlen, ct, ctlen) <= 0 || ptlen != sizeof msg) return 1;
        }
        n += 100;
        now = cpu_seconds();
    } while (now - start < secs);
    printf("sm2 decrypt 32 B: %.1f/s (%ld in %.2f s CPU)\n", n / (now - start), n, now - start);
    EVP_PKEY_CTX_free(ectx);
    EVP_PKEY_CTX_free(dctx);
    EVP_PKEY_free(key);
    return 0;
}
