import XCTest
@testable import Antonnia
final class SmokeTests: XCTestCase {
    func testVersion() throws {
        XCTAssertFalse(sdkVersion().isEmpty)
    }
}
