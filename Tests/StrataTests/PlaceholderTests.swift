import Testing
@testable import Strata

@Suite struct StrataModuleTests {
    @Test func moduleLinksTheEngine() throws {
        #expect(StorageOptions().blockBytes == 4096)
    }
}
