import Foundation

/// spines.csv written while the batch runs: `BatchRunner.run(inOrder:)` hands each image's
/// record here in input order and then releases its spines, so a batch of thousands of
/// images never holds all their spines, nor the table's text, at once. The file is staged
/// in the run's `ReportTransaction` and appears only when the run commits.
public final class SpineTableStream: @unchecked Sendable {
    private let stream: StagedStream
    private let lock = NSLock()
    private var pieces: ReportTables.SpineRowPieces

    /// Opens the staged spines.csv of `transaction` (or `relativePath`).
    public init(transaction: ReportTransaction, as relativePath: String = "spines.csv",
                pieceBytes: Int = ReportTables.spinesPieceBytes) throws(ReportWriteError) {
        stream = try transaction.stream(as: relativePath)
        pieces = ReportTables.SpineRowPieces(pieceBytes: pieceBytes)
    }

    /// Adds the rows of the next record in input order.
    public func append(_ record: ImageRecord) {
        lock.withLock { pieces.append(record, stream.write) }
    }

    /// Writes the last rows and flushes the file to the disk; throws when any write failed.
    public func finish() throws(ReportWriteError) {
        lock.withLock { pieces.finish(stream.write) }
        try stream.finish()
    }
}
