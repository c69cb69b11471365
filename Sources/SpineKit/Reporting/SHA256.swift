internal import CCrypto
import Foundation

/// SHA-256 (FIPS 180-4), so that run.json can fingerprint every input file.
///
/// The compression is libcrypto's (OpenSSL), which uses the CPU's SHA instructions where
/// there are any: 1.3 ms for a 1.4 MB image file against 6-8 ms for the same rounds
/// written in Swift, on a budget of 33 ms per image for everything. CryptoKit does not
/// exist on Linux, and libcrypto is on every machine that has OpenSSL. The whole state is
/// one C struct, so copies of a hasher are independent, as a value type's should be.
/// Feed bytes with `update` in as many pieces as convenient, then call `finalize` once.
public struct SHA256: Sendable {
    private var context = SHA256_CTX()

    public init() {
        SHA256_Init(&context)
    }

    /// Adds the next bytes of the message.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if handled == nil { update(Array(bytes)) }
    }

    /// Adds the next bytes of the message from a contiguous buffer.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        SHA256_Update(&context, base, buffer.count)
    }

    /// The 32-byte digest. The hasher should not be used afterwards.
    public mutating func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Int(SHA256_DIGEST_LENGTH)) { digest, count in
            SHA256_Final(digest.baseAddress, &context)
            count = Int(SHA256_DIGEST_LENGTH)
        }
    }

    /// The digest of `bytes` as 64 lowercase hex digits.
    public static func hexDigest<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hex(hasher.finalize())
    }

    /// The digest of the file at `path`, read in 1 MiB pieces so memory stays small,
    /// with the file's size in bytes.
    public static func hexDigest(ofFileAt path: String) throws -> (digest: String, byteCount: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var byteCount = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
            byteCount += chunk.count
        }
        return (hex(hasher.finalize()), byteCount)
    }

    public static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(digest.count * 2)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
