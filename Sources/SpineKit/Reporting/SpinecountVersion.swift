/// The version of spinecount, written into run.json and printed by `--version`.
public enum SpinecountVersion {
    public static let current = "0.1.0"
}
