#ifndef SPINECOUNT_CCRYPTO_SHIM_H
#define SPINECOUNT_CCRYPTO_SHIM_H
// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but they keep the
// whole state in one plain struct, which a Swift value type can hold and copy; they run the
// same block function (SHA extensions where the CPU has them).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#endif
