import CSV

/// Parses the CSV files `evaluate` reads, from their text (the caller reads the files).
///
/// Header names are matched case-insensitively; columns beyond the named ones are ignored;
/// blank lines are skipped. `file` only names the source in error messages.
public enum EvaluationCSV {
    public static func truthSpines(csv: String, file: String) throws(EvaluationInputError) -> [TruthSpine] {
        let table = try Table(csv: csv, file: file, required: ["image", "head_x_px", "head_y_px"])
        var spines = [TruthSpine]()
        for record in table.records {
            let image = try table.text(record, "image")
            let x = try table.optionalNumber(record, "head_x_px")
            let y = try table.optionalNumber(record, "head_y_px")
            var head: PixelPoint?
            switch (x, y) {
            case let (x?, y?): head = PixelPoint(x: x, y: y)
            case (nil, nil): head = nil
            default: throw table.error(record, "has only one of head_x_px and head_y_px")
            }
            let className = table.optionalText(record, "class")?.lowercased()
            spines.append(TruthSpine(group: table.optionalText(record, "group"), image: image, head: head,
                                     className: className, sizes: try table.sizes(record)))
        }
        return spines
    }

    public static func predictedSpines(csv: String, file: String) throws(EvaluationInputError) -> [PredictedSpine] {
        let table = try Table(csv: csv, file: file, required: ["image", "head_x_px", "head_y_px"])
        var spines = [PredictedSpine]()
        for record in table.records {
            let image = try table.text(record, "image")
            let head = PixelPoint(x: try table.number(record, "head_x_px"), y: try table.number(record, "head_y_px"))
            let spineClass = table.optionalText(record, "class").flatMap { SpineClass(rawValue: $0.lowercased()) }
            spines.append(PredictedSpine(group: table.optionalText(record, "group") ?? "", image: image, head: head,
                                         spineClass: spineClass, sizes: try table.sizes(record)))
        }
        return spines
    }

    public static func reportImages(csv: String, file: String) throws(EvaluationInputError) -> [ReportImage] {
        let table = try Table(csv: csv, file: file, required: ["image", "status"])
        var images = [ReportImage]()
        for record in table.records {
            let spineCount = try table.optionalNumber(record, "spines").map { Int($0.rounded()) }
            images.append(ReportImage(
                group: table.optionalText(record, "group") ?? "", image: try table.text(record, "image"),
                status: table.optionalText(record, "status") ?? "",
                micronsPerPixel: try table.optionalNumber(record, "pixel_size_um"),
                dendriteLengthMicrons: try table.optionalNumber(record, "dendrite_length_um"),
                spineCount: spineCount))
        }
        return images
    }

    public static func shaftLengths(csv: String, file: String) throws(EvaluationInputError) -> [TruthShaftLength] {
        let table = try Table(csv: csv, file: file, required: ["image", "dendrite_length_um"])
        var lengths = [TruthShaftLength]()
        for record in table.records {
            lengths.append(TruthShaftLength(group: table.optionalText(record, "group"),
                                            image: try table.text(record, "image"),
                                            dendriteLengthMicrons: try table.number(record, "dendrite_length_um")))
        }
        return lengths
    }

    /// A parsed CSV with a header row, and typed access by column name.
    struct Table {
        var file: String
        var columns: [String: Int]
        /// Non-blank data rows with their 1-based record number (the header is record 1).
        var records: [(number: Int, fields: [String])]

        init(csv: String, file: String, required: [String]) throws(EvaluationInputError) {
            self.file = file
            // A byte-order mark from spreadsheet exports would otherwise end up in the first name.
            let text = csv.hasPrefix("\u{FEFF}") ? String(csv.dropFirst()) : csv
            let reader: CSVReader
            do {
                reader = try CSVReader(string: text, hasHeaderRow: true, trimFields: true)
            } catch {
                throw EvaluationInputError(file: file, reason: "is not readable as CSV (\(error))")
            }
            guard let header = reader.headerRow, header.contains(where: { !$0.isEmpty }) else {
                throw EvaluationInputError(file: file, reason: "is empty; expected a header row with \(required.joined(separator: ", "))")
            }
            var columns = [String: Int]()
            for (index, name) in header.enumerated() {
                let key = name.lowercased()
                if columns[key] == nil { columns[key] = index }
            }
            let missing = required.filter { columns[$0] == nil }
            guard missing.isEmpty else {
                throw EvaluationInputError(
                    file: file,
                    reason: "has no column \(missing.joined(separator: ", ")) (header: \(header.joined(separator: ",")))")
            }
            self.columns = columns
            var records = [(number: Int, fields: [String])]()
            var number = 1
            while let row = reader.next() {
                number += 1
                if row.allSatisfy(\.isEmpty) { continue }
                records.append((number, row))
            }
            if let error = reader.error {
                throw EvaluationInputError(file: file, reason: "could not be read to the end (\(error))")
            }
            self.records = records
        }

        func optionalText(_ record: (number: Int, fields: [String]), _ column: String) -> String? {
            guard let index = columns[column], index < record.fields.count else { return nil }
            let value = record.fields[index]
            return value.isEmpty ? nil : value
        }

        func text(_ record: (number: Int, fields: [String]), _ column: String) throws(EvaluationInputError) -> String {
            guard let value = optionalText(record, column) else { throw error(record, "has an empty \(column)") }
            return value
        }

        func optionalNumber(_ record: (number: Int, fields: [String]), _ column: String) throws(EvaluationInputError) -> Double? {
            guard let value = optionalText(record, column) else { return nil }
            guard let number = Double(value), number.isFinite else {
                throw error(record, "has \(column) '\(value)', which is not a number")
            }
            return number
        }

        func number(_ record: (number: Int, fields: [String]), _ column: String) throws(EvaluationInputError) -> Double {
            guard let value = try optionalNumber(record, column) else { throw error(record, "has an empty \(column)") }
            return value
        }

        /// The optional size columns of `record`.
        func sizes(_ record: (number: Int, fields: [String])) throws(EvaluationInputError) -> SpineSizes {
            SpineSizes(lengthMicrons: try optionalNumber(record, SizeMeasure.length.rawValue),
                       headDiameterMicrons: try optionalNumber(record, SizeMeasure.headDiameter.rawValue),
                       neckDiameterMicrons: try optionalNumber(record, SizeMeasure.neckDiameter.rawValue))
        }

        func error(_ record: (number: Int, fields: [String]), _ reason: String) -> EvaluationInputError {
            EvaluationInputError(file: file, reason: "record \(record.number) \(reason)")
        }
    }
}
