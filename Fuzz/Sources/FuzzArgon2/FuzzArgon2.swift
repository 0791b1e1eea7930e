import Foundation

// The `password` column as Django's Argon2PasswordHasher (argon2-cffi's PHC string) stores
// it: a forged or damaged row is parsed in time linear in its length, parameters out of
// bounds are refused before anything is allocated, and a row with small parameters is
// verified (the work bounded by them).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArgon2(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    let hasher = Argon2PasswordHasher(timeCost: 1, memoryCost: 8, parallelism: 1, threads: 1)
    for encoded in [text, "argon2$" + text] {
        guard let stored = Argon2PasswordHasher.Stored(encoded) else {
            if hasher.verify("password", encoded: encoded) { fatalError("an unparsable row verified") }
            continue
        }
        guard stored.memoryCost >= 0, stored.timeCost >= 0, stored.parallelism >= 0 else {
            fatalError("negative parameters from \(encoded.debugDescription)")
        }
        _ = hasher.mustUpdate(encoded)
        if stored.memoryCost <= 64, stored.timeCost <= 2, stored.parallelism <= 2 {
            _ = hasher.verify("password", encoded: encoded)
        }
    }
    return 0
}
