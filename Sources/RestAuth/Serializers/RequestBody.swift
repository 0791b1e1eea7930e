import Foundation
import NIOCore
import Vapor

/// The parsed body of a request, as DRF's parsers produce it: JSON, form-encoded or
/// multipart, read only by the views that need it.
public enum RequestBody: Sendable {
    /// A JSON object, or form fields as strings.
    case object(JSONObject)
    /// JSON that is not an object (DRF: "Invalid data. Expected a dictionary, but got list.").
    case notAnObject(JSONValue)

    /// The fields, or DRF's `non_field_errors` when the body is not an object.
    public func fields() throws -> JSONObject {
        switch self {
        case .object(let object): return object
        case .notAnObject(let value):
            throw ValidationErrors.nonField(
                RestAuthMessages.Fields.notADictionary.format(["datatype": value.pythonTypeName]))
        }
    }

    /// Parses a request body. An empty body is an empty object whatever its content type,
    /// as in DRF; otherwise JSON, `application/x-www-form-urlencoded` and
    /// `multipart/form-data` are understood and anything else is a 415. More fields (JSON:
    /// members and elements) than `DATA_UPLOAD_MAX_NUMBER_FIELDS` is a 400. The result is
    /// kept on the request: the CSRF check and the view read one parse.
    public static func parse(_ request: Request) throws -> RequestBody {
        if let cached = request.storage[ParsedBodyKey.self] { return try cached.get() }
        let result = Result { try parseUncached(request) }
        request.storage[ParsedBodyKey.self] = result
        return try result.get()
    }

    private struct ParsedBodyKey: StorageKey {
        typealias Value = Result<RequestBody, any Error>
    }

    private static func parseUncached(_ request: Request) throws -> RequestBody {
        guard let buffer = request.body.data, buffer.readableBytes > 0 else { return .object(JSONObject()) }
        let limit = request.application.restAuthMaxNumberOfFields
        let contentType = request.headers.first(name: .contentType) ?? ""
        let mediaType =
            contentType.split(separator: ";", maxSplits: 1).first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            } ?? ""
        switch mediaType {
        case "application/json":
            return try parseJSON(Array(buffer.readableBytesView), maxMembers: limit)
        case "application/x-www-form-urlencoded":
            do {
                return .object(try FormURLEncoded.parse(Array(buffer.readableBytesView), maxFields: limit))
            } catch {
                throw APIError.tooManyFields
            }
        case "multipart/form-data":
            return .object(try parseMultipart(request, body: buffer, maxFields: limit))
        default:
            throw APIError.unsupportedMediaType(contentType, for: request)
        }
    }

    static func parseJSON(_ bytes: [UInt8], maxMembers: Int?) throws -> RequestBody {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxMembers: maxMembers)
        } catch  where error.isOverMemberLimit {
            throw APIError.tooManyFields
        } catch {
            throw APIError.parseError("JSON parse error - \(error.message)")
        }
        if case .object(let object) = value { return .object(object) }
        return .notAnObject(value)
    }

    private static func parseMultipart(_ request: Request, body: ByteBuffer, maxFields: Int?) throws -> JSONObject {
        guard let boundary = request.headers.contentType?.parameters["boundary"], !boundary.isEmpty else {
            throw APIError.parseError("Multipart form parse error - Invalid boundary in multipart: None")
        }
        // Counted before the decoder builds anything: each part follows a delimiter line.
        if let maxFields, occurrences(of: Array("--\(boundary)".utf8), in: body.readableBytesView) - 1 > maxFields {
            throw APIError.tooManyFields
        }
        do {
            let fields = try FormDataDecoder().decode([String: String].self, from: body, boundary: boundary)
            var object = JSONObject()
            for (name, value) in fields.sorted(by: { $0.key < $1.key }) { object[name] = .string(value) }
            return object
        } catch {
            throw APIError.parseError("Multipart form parse error - \(error)")
        }
    }

    /// Non-overlapping occurrences of `needle` (a boundary: at most 70 bytes by RFC 2046,
    /// so the naive search stays linear in the body).
    static func occurrences(of needle: [UInt8], in haystack: ByteBufferView) -> Int {
        guard let first = needle.first, haystack.count >= needle.count else { return 0 }
        var count = 0
        var index = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                count += 1
                index += needle.count
            } else {
                index += 1
            }
        }
        return count
    }
}
