import Foundation

/// Business-day arithmetic (Monday–Friday, UTC) for statutory windows.
public enum BusinessDays {
    /// The instant `days` business days after `start` (same time of day).
    public static func add(_ days: Int, to start: Date) -> Date {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        var d = start, left = days
        while left > 0 {
            d = cal.date(byAdding: .day, value: 1, to: d)!
            let wd = cal.component(.weekday, from: d)  // 1 = Sunday, 7 = Saturday
            if wd != 1 && wd != 7 { left -= 1 }
        }
        return d
    }
}
