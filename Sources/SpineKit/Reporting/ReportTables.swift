/// The CSV reports, built from the batch's records. Columns up to the contract's last
/// are fixed (see `CONTRACT.md`); extra columns only ever come after them.
public enum ReportTables {
    /// `spines.csv`: the contract's columns, then the tip, the position along the dendrite
    /// and the head's contrast in noise deviations and as a fraction of the shaft's peak
    /// (extras; the last two let a stricter contrast be applied without a new run).
    public static let spinesHeader = [
        "group", "image", "spine_id", "dendrite_id", "class", "head_x_px", "head_y_px", "base_x_px", "base_y_px",
        "length_um", "head_diameter_um", "neck_diameter_um", "attached",
        "tip_x_px", "tip_y_px", "arc_um", "head_snr", "head_contrast",
    ]

    /// `images.csv`: the contract's columns, then the number of traced shafts, where
    /// the pixel size came from, the blur used for width correction and the cluster
    /// key of `--group-by` (extras).
    public static let imagesHeader = [
        "group", "image", "status", "width_px", "height_px", "bit_depth", "pixel_size_um", "dendrite_length_um",
        "spines", "mushroom", "thin", "stubby", "density_per_um",
        "dendrites", "pixel_size_source", "psf_fwhm_um", "cluster",
    ]

    /// `dendrites.csv` (not in the contract): one row per traced shaft, so that densities can
    /// be compared per dendrite, the usual unit of replication below the cell.
    public static let dendritesHeader = [
        "group", "image", "dendrite_id", "length_um", "radius_um", "spines", "mushroom", "thin", "stubby",
        "density_per_um", "start_x_px", "start_y_px", "end_x_px", "end_y_px", "centerline_um",
    ]

    /// One row per traced shaft of every successful image, in input order, then dendrite
    /// order; the counts are of the spines whose `dendrite_id` it is. `length_um` is the
    /// centreline inside the counting frame (the length of the density); `centerline_um` the
    /// whole centreline from start to end, along which `arc_um` of spines.csv runs.
    public static func dendrites(_ records: [ImageRecord]) -> CSVWriter {
        var csv = CSVWriter(header: dendritesHeader)
        for record in records where record.status.isOK {
            for dendrite in record.dendrites {
                let own = record.spineCounts(onDendrite: dendrite.id)
                let density = dendrite.lengthMicrons > 0 ? Double(own.total) / dendrite.lengthMicrons : nil
                csv.appendRow([
                    record.input.group, record.input.image, String(dendrite.id),
                    ReportNumber.microns(dendrite.lengthMicrons), ReportNumber.microns(dendrite.radiusMicrons),
                    String(own.total), String(own.mushroom), String(own.thin), String(own.stubby),
                    ReportNumber.density(density),
                    ReportNumber.pixels(dendrite.start.x), ReportNumber.pixels(dendrite.start.y),
                    ReportNumber.pixels(dendrite.end.x), ReportNumber.pixels(dendrite.end.y),
                    // Empty, like the ends, for a dendrite without a centreline.
                    ReportNumber.microns(dendrite.start.x.isFinite ? record.micronsPerPixel.map { dendrite.centerlinePixels * $0 } : nil),
                ])
            }
        }
        return csv
    }

    /// One row per spine of every successful image, in input order, then spine order.
    public static func spines(_ records: [ImageRecord]) -> CSVWriter {
        var csv = CSVWriter(header: spinesHeader)
        for record in records where record.status.isOK { appendSpineRows(of: record, to: &csv) }
        return csv
    }

    /// Size of the pieces in which `spines.csv` is written: large enough that writes are few,
    /// small beside an image's analysis.
    public static let spinesPieceBytes = 1 << 20

    /// The text of `spines(_:)` formatted record by record, as a batch delivers them in input
    /// order, and handed on in pieces of at least `pieceBytes` (the last one excepted): for a
    /// batch of thousands of images the whole text runs to tens of megabytes, more than the
    /// analysis of an image needs.
    public struct SpineRowPieces: Sendable {
        public let pieceBytes: Int
        private var csv = CSVWriter(header: spinesHeader)

        public init(pieceBytes: Int = spinesPieceBytes) {
            self.pieceBytes = pieceBytes
        }

        /// Formats the rows of `record` (none for a failed image) and emits what has
        /// gathered once it reaches `pieceBytes`.
        public mutating func append(_ record: ImageRecord, _ emit: (String) throws -> Void) rethrows {
            guard record.status.isOK else { return }
            appendSpineRows(of: record, to: &csv)
            if csv.text.utf8.count >= pieceBytes { try emit(csv.takeText()) }
        }

        /// Emits the rest (the header alone for a batch without spines).
        public mutating func finish(_ emit: (String) throws -> Void) rethrows {
            try emit(csv.takeText())
        }
    }

    private static func appendSpineRows(of record: ImageRecord, to csv: inout CSVWriter) {
        precondition(!record.spinesReleased, "the spines of \(record.input.image) were released before their rows")
        for spine in record.spines {
            csv.appendRow([
                record.input.group, record.input.image, String(spine.id), String(spine.dendriteID),
                spine.spineClass.rawValue,
                ReportNumber.pixels(spine.head.x), ReportNumber.pixels(spine.head.y),
                ReportNumber.pixels(spine.base.x), ReportNumber.pixels(spine.base.y),
                ReportNumber.microns(spine.lengthMicrons), ReportNumber.microns(spine.headDiameterMicrons),
                ReportNumber.microns(spine.neckDiameterMicrons), spine.isAttached ? "true" : "false",
                ReportNumber.pixels(spine.tip.x), ReportNumber.pixels(spine.tip.y),
                ReportNumber.microns(spine.arcMicrons),
                ReportNumber.fixed(spine.headSNR, places: ReportNumber.snrPlaces),
                ReportNumber.density(spine.headContrast),
            ])
        }
    }

    /// One row per input image, failed ones included; counts of a failed image are
    /// empty (unknown), not zero. `clusterKeys` holds each record's `--group-by` key.
    public static func images(_ records: [ImageRecord], clusterKeys: [String?]? = nil) -> CSVWriter {
        var csv = CSVWriter(header: imagesHeader)
        for (index, record) in records.enumerated() {
            let ok = record.status.isOK
            func count(_ n: Int) -> String { ok ? String(n) : "" }
            csv.appendRow([
                record.input.group, record.input.image, record.status.text,
                record.width.map(String.init) ?? "", record.height.map(String.init) ?? "",
                record.bitDepth.map(String.init) ?? "",
                ReportNumber.fixed(record.micronsPerPixel, places: ReportNumber.pixelSizePlaces),
                ok ? ReportNumber.microns(record.dendriteLengthMicrons) : "",
                count(record.spineCount), count(record.count(of: .mushroom)), count(record.count(of: .thin)),
                count(record.count(of: .stubby)), ReportNumber.density(record.densityPerMicron),
                count(record.dendriteCount), record.pixelSizeSource?.rawValue ?? "",
                ok ? ReportNumber.microns(record.psfFWHMMicrons) : "",
                (clusterKeys?[index] ?? nil) ?? "",
            ])
        }
        return csv
    }

    /// `summary.csv` for `compare`: `GroupComparison.csvHeader` columns.
    public static func summary(_ comparison: GroupComparison) -> CSVWriter {
        var csv = CSVWriter(header: GroupComparison.csvHeader)
        for row in comparison.rows {
            csv.appendRow([
                row.measure.name, format(row.before, of: row.measure), format(row.after, of: row.measure),
                ReportNumber.percent(row.changePercent),
                ReportNumber.percent(row.changePercentInterval?.low),
                ReportNumber.percent(row.changePercentInterval?.high),
                ReportNumber.pValue(row.pValue),
            ])
        }
        return csv
    }

    /// `summary.csv` for `analyze`: `measure,value`.
    public static func summary(_ set: SetSummary) -> CSVWriter {
        var csv = CSVWriter(header: SetSummary.csvHeader)
        for row in set.rows {
            csv.appendRow([row.measure.name, format(row.value, of: row.measure)])
        }
        return csv
    }

    /// A measure's value with the precision its unit calls for.
    public static func format(_ value: Double?, of measure: SummaryMeasure) -> String {
        switch measure {
        case .densityPerMicron, .mushroomPerMicron, .thinPerMicron, .stubbyPerMicron,
             .mushroomFraction, .thinFraction, .stubbyFraction:
            ReportNumber.density(value)
        case .headDiameterMeanMicrons, .spineLengthMeanMicrons, .dendriteLengthMicrons:
            ReportNumber.microns(value)
        case .images, .spines:
            ReportNumber.fixed(value, places: 0)
        }
    }
}
