#ifndef SPINECOUNT_CALLOCATOR_H
#define SPINECOUNT_CALLOCATOR_H

/// Serves blocks up to `heap_block_limit` bytes from the heap and trims the heap only
/// beyond `trim_threshold` free bytes (glibc's mallopt, whose header Swift's Glibc module
/// does not include). Returns 1 when both were set, 0 otherwise (or without glibc).
int spinecount_tune_allocator(int heap_block_limit, int trim_threshold);

/// Returns the free memory of every heap to the system (glibc's malloc_trim); a no-op
/// without glibc.
void spinecount_release_free_memory(void);

#endif
