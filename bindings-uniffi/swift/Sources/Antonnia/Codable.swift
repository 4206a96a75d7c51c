// Codable records: Session, Message, Agent, SurveySubmission and
// SessionSchedule encode and decode as the API's JSON (its field names and
// shapes: `metadata` an object, content `{"type": ...}`), whatever the
// Encoder or Decoder. The wire format is the core's alone: a record is
// written with its `toJson()` and read with the core's reader
// (`sessionFromJson`, ...); here the JSON only travels, as a JSON tree, to
// and from the coder.
import Foundation

/// Any JSON value, as a Codable tree.
private enum JSONTree: Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONTree])
    case object([String: JSONTree])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let v = try? c.decode(Bool.self) {
            self = .bool(v)
        } else if let v = try? c.decode(Int64.self) {
            self = .int(v)
        } else if let v = try? c.decode(Double.self) {
            self = .double(v)
        } else if let v = try? c.decode(String.self) {
            self = .string(v)
        } else if let v = try? c.decode([JSONTree].self) {
            self = .array(v)
        } else {
            self = .object(try c.decode([String: JSONTree].self))
        }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .array(let v): try c.encode(v)
        case .object(let v): try c.encode(v)
        }
    }
}

/// Encodes the record's canonical JSON text into `encoder`.
private func encodeWire(_ toJson: () throws -> String, to encoder: Encoder) throws {
    let text: String
    do {
        text = try toJson()
    } catch {
        throw EncodingError.invalidValue(
            error, EncodingError.Context(codingPath: encoder.codingPath, debugDescription: "\(error)", underlyingError: error))
    }
    try JSONDecoder().decode(JSONTree.self, from: Data(text.utf8)).encode(to: encoder)
}

/// Reads a record from `decoder` with the core's reader `fromJson`.
private func decodeWire<T>(_ decoder: Decoder, _ fromJson: (String) throws -> T) throws -> T {
    let tree = try JSONTree(from: decoder)
    let text = String(decoding: try JSONEncoder().encode(tree), as: UTF8.self)
    do {
        return try fromJson(text)
    } catch {
        throw DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "\(error)", underlyingError: error))
    }
}

extension Session: Codable {
    /// Reads the API's JSON for a session.
    public init(from decoder: Decoder) throws { self = try decodeWire(decoder) { try sessionFromJson(json: $0) } }
    /// Writes the API's JSON for the session (`toJson()`).
    public func encode(to encoder: Encoder) throws { try encodeWire(toJson, to: encoder) }
}

extension Message: Codable {
    /// Reads the API's JSON for a message.
    public init(from decoder: Decoder) throws { self = try decodeWire(decoder) { try messageFromJson(json: $0) } }
    /// Writes the API's JSON for the message (`toJson()`).
    public func encode(to encoder: Encoder) throws { try encodeWire(toJson, to: encoder) }
}

extension Agent: Codable {
    /// Reads the API's JSON for an agent.
    public init(from decoder: Decoder) throws { self = try decodeWire(decoder) { try agentFromJson(json: $0) } }
    /// Writes the API's JSON for the agent (`toJson()`).
    public func encode(to encoder: Encoder) throws { try encodeWire(toJson, to: encoder) }
}

extension SurveySubmission: Codable {
    /// Reads the API's JSON for a survey submission.
    public init(from decoder: Decoder) throws { self = try decodeWire(decoder) { try surveySubmissionFromJson(json: $0) } }
    /// Writes the API's JSON for the survey submission (`toJson()`).
    public func encode(to encoder: Encoder) throws { try encodeWire(toJson, to: encoder) }
}

extension SessionSchedule: Codable {
    /// Reads the API's JSON for a session's schedule.
    public init(from decoder: Decoder) throws { self = try decodeWire(decoder) { try sessionScheduleFromJson(json: $0) } }
    /// Writes the API's JSON for the schedule (`toJson()`).
    public func encode(to encoder: Encoder) throws { try encodeWire(toJson, to: encoder) }
}
