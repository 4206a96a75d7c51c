// The replay's JSON reader keeps the wire's types: a boolean is not the
// number 1, an integer is not a double, escapes and nesting round-trip.
import XCTest

final class JSONTests: XCTestCase {
    func testKeepsBooleansIntegersAndDoublesApart() throws {
        let v = try JSON.parse(#"{"b":true,"i":1,"d":1.5,"e":2e3,"n":null,"big":12345678901234567890}"#)
        XCTAssertEqual(v["b"], .bool(true))
        XCTAssertEqual(v["i"], .int(1))
        XCTAssertEqual(v["d"], .double(1.5))
        XCTAssertEqual(v["e"], .double(2000))
        XCTAssertEqual(v["n"], .null)
        XCTAssertEqual(v["big"], .double(Double("12345678901234567890")!))
        XCTAssertNotEqual(v["b"], .int(1))
        XCTAssertFalse(JSON.bool(true).same(.int(1)))
        XCTAssertTrue(JSON.int(1).same(.double(1.0)))
    }

    func testStringsAndRoundTrip() throws {
        let text = #"{"a":["x\"y\\z\n\u00e9\ud83d\ude00\/",[],{}],"b":-0.25}"#
        let v = try JSON.parse(text)
        XCTAssertEqual(v["a"]?.array?.first, .string("x\"y\\z\n\u{e9}\u{1F600}/"))
        XCTAssertEqual(try JSON.parse(v.description), v)
        XCTAssertEqual(JSON.object(["z": .int(1), "a": .double(2)]).description, #"{"a":2.0,"z":1}"#)
        XCTAssertEqual(JSON.string("\u{1}").description, #""\u0001""#)
    }

    func testRejectsMalformedText() {
        for bad in ["", "{", "[1,]x", "tru", "\"open", "{\"a\" 1}", "1 2", "[" + String(repeating: "[", count: 600)] {
            XCTAssertThrowsError(try JSON.parse(bad), bad)
        }
    }
}
