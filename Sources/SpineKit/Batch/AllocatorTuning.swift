internal import CAllocator

/// Keeps the memory of one image's freed rasters in the process for the next image.
///
/// By default glibc gives every allocation above 128 KiB (raised as large blocks are freed,
/// up to 32 MiB) its own mapping and returns it when freed, and trims the heap eagerly, so
/// each 4 MB raster of an analysis was a fresh mapping: page faults and the kernel's zeroing
/// of every page, about a quarter of the analysis time of a 1-megapixel image (measured with
/// `spinecount-bench`, 146 -> 110 ms). Served from the heap instead, a worker reuses the same
/// pages image after image. The peak is unchanged; the resident size stays near it between
/// images instead of falling back, which is what a batch needs again for its next image.
public enum AllocatorTuning {
    /// Blocks up to this size come from the heap: glibc's largest allowed value on 64-bit
    /// systems (half its 64 MiB heap size), above a 2048 x 2048 `Float` image.
    public static let heapBlockLimitBytes: Int32 = 32 << 20
    /// Free memory at the top of the heap is returned to the system only beyond this: more
    /// than the analysis of a 4096 x 4096 image needs at once.
    public static let trimThresholdBytes: Int32 = 1 << 30

    /// Applies both settings; call once at start-up, before other threads allocate. Returns
    /// false where they could not be set (not glibc, or glibc refused a value).
    @discardableResult
    public static func keepFreedImagesForReuse() -> Bool {
        spinecount_tune_allocator(heapBlockLimitBytes, trimThresholdBytes) == 1
    }

    /// Gives the memory kept for reuse back to the system: once a batch's images are done,
    /// the reports are built on a small resident size rather than on top of the workers'
    /// kept heaps, so the peak is the batch's own.
    public static func releaseFreedMemory() {
        spinecount_release_free_memory()
    }
}
