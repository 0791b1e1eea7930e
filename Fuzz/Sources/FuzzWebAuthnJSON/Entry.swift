import CFuzzerEntry

// libFuzzer's main, under the name SwiftPM gives an executable's main (see CFuzzerEntry.h).
@_cdecl("FuzzWebAuthnJSON_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzzer_entry_main(argc, argv)
}
