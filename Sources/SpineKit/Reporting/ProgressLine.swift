/// The text of progress messages, for a live terminal line or plain log lines.
public enum ProgressLine {
    /// `  37/174 images  21%  4.2 img/s  ETA 0:33  2 failed`: the live line on a terminal.
    public static func live(completed: Int, total: Int, failed: Int, elapsedSeconds: Double) -> String {
        let percent = total > 0 ? 100 * completed / total : 100
        var text = "\(padded(completed, like: total))/\(total) images  \(percent)%"
        let rate = elapsedSeconds > 0 ? Double(completed) / elapsedSeconds : 0
        text += "  " + ReportNumber.fixed(rate, places: 1) + " img/s"
        if completed > 0 && rate > 0 {
            text += "  ETA " + duration(Double(total - completed) / rate)
        } else {
            text += "  ETA --:--"
        }
        if failed > 0 { text += "  \(failed) failed" }
        return text
    }

    /// `[ 12/174] before/a.png: ok, 23 spines, 1.23 /um` or `[ 13/174] x.png: error: <reason>`.
    public static func plain(completed: Int, total: Int, record: ImageRecord, showsGroup: Bool) -> String {
        var text = "[\(padded(completed, like: total))/\(total)] "
            + displayName(of: record.input, showsGroup: showsGroup) + ": "
        guard record.status.isOK else { return text + record.status.text }
        text += "ok, \(record.spineCount) spine\(record.spineCount == 1 ? "" : "s")"
        if let density = record.densityPerMicron {
            text += ", " + ReportNumber.fixed(density, places: 2) + " /um"
        } else {
            text += ", no dendrite traced"
        }
        return text
    }

    /// How messages name an image: `before/a.png` when groups matter, else `a.png`.
    public static func displayName(of input: BatchInput, showsGroup: Bool) -> String {
        showsGroup ? input.group + "/" + input.image : input.image
    }

    /// `0:07`, `12:34`, `1:02:03`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let total = Int(seconds.rounded(.up))
        let hours = total / 3600, minutes = (total % 3600) / 60, rest = total % 60
        let secondsText = rest < 10 ? "0\(rest)" : "\(rest)"
        if hours > 0 {
            return "\(hours):" + (minutes < 10 ? "0\(minutes)" : "\(minutes)") + ":" + secondsText
        }
        return "\(minutes):" + secondsText
    }

    private static func padded(_ value: Int, like total: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, String(total).count - text.count)) + text
    }
}
