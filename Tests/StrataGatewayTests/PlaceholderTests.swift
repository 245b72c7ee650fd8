import Testing
@testable import StrataGateway
import Strata

@Suite struct GatewayPlaceholderTests {
    @Test func errorCodesAreSpelledAsAWSSpellsThem() {
        #expect(DynamoDBError.Code.validation.name == "ValidationException")
    }
}
