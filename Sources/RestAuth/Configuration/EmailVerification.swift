/// allauth's `ACCOUNT_EMAIL_VERIFICATION`.
public enum EmailVerification: String, Sendable, CaseIterable {
    /// No confirmation mail; addresses stay unverified and nothing waits for them.
    case none
    /// A confirmation mail on sign-up; login works before the address is confirmed.
    case optional
    /// A confirmation mail on sign-up; login is refused until the address is confirmed.
    case mandatory
}
