import Foundation

/// The value of `x-amzn-RequestId`: a fresh random id per request, in UUID form, so a client's log
/// line can be matched to the server's.
enum RequestID {
    static func make() -> String {
        UUID().uuidString
    }
}
