import Foundation
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
            throw ValidationErrors.nonField("Invalid data. Expected a dictionary, but got \(value.pythonTypeName).")
        }
    }

    /// Parses a request body. An empty body is an empty object whatever its content type,
    /// as in DRF; otherwise JSON, `application/x-www-form-urlencoded` and
    /// `multipart/form-data` are understood and anything else is a 415.
    public static func parse(_ request: Request) throws -> RequestBody {
        guard let buffer = request.body.data, buffer.readableBytes > 0 else { return .object(JSONObject()) }
        let contentType = request.headers.first(name: .contentType) ?? ""
        let mediaType =
            contentType.split(separator: ";", maxSplits: 1).first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            } ?? ""
        switch mediaType {
        case "application/json":
            return try parseJSON(buffer)
        case "application/x-www-form-urlencoded":
            return .object(parseForm(String(decoding: buffer.readableBytesView, as: UTF8.self)))
        case "multipart/form-data":
            return .object(try parseMultipart(request, contentType: contentType))
        default:
            throw APIError.unsupportedMediaType(contentType)
        }
    }

    static func parseJSON(_ buffer: ByteBuffer) throws -> RequestBody {
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw APIError.parseError("JSON parse error - \(error.message)")
        }
        if case .object(let object) = value { return .object(object) }
        return .notAnObject(value)
    }

    /// `a=1&b=two+words`; a repeated key keeps its last value, as `QueryDict.get` does.
    static func parseForm(_ text: String) -> JSONObject {
        var object = JSONObject()
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decodeFormComponent(parts[0])
            let value = parts.count > 1 ? decodeFormComponent(parts[1]) : ""
            object[key] = .string(value)
        }
        return object
    }

    private static func decodeFormComponent(_ component: Substring) -> String {
        let spaced = component.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    private static func parseMultipart(_ request: Request, contentType: String) throws -> JSONObject {
        guard let boundary = request.headers.contentType?.parameters["boundary"], !boundary.isEmpty else {
            throw APIError.parseError("Multipart form parse error - Invalid boundary in multipart: None")
        }
        do {
            let fields = try FormDataDecoder().decode(
                [String: String].self, from: request.body.data ?? ByteBuffer(), boundary: boundary)
            var object = JSONObject()
            for (name, value) in fields.sorted(by: { $0.key < $1.key }) { object[name] = .string(value) }
            return object
        } catch {
            throw APIError.parseError("Multipart form parse error - \(error)")
        }
    }
}
