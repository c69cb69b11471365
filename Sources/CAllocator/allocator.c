#include "allocator.h"

// Any C library header defines __GLIBC__ when the library is glibc.
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int spinecount_tune_allocator(int heap_block_limit, int trim_threshold) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, heap_block_limit) == 1 && mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1;
#else
    (void)heap_block_limit;
    (void)trim_threshold;
    return 0;
#endif
}

void spinecount_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
