import Foundation
import Testing
@testable import Strata

@Suite struct TimeToLiveTests {
    @Test func expiredItemsAreDeletedOthersKept() throws {
        let db = try makeDatabase()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try db.updateTimeToLive(UpdateTimeToLiveInput(tableName: "items", timeToLiveSpecification: TimeToLiveSpecification(enabled: true, attributeName: "expires")))
        #expect(try db.describeTimeToLive(TableNameInput(tableName: "items")).timeToLiveDescription.timeToLiveStatus == "ENABLED")
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "past", "expires": num("1799999999")]))
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "exact", "expires": num("1800000000")]))
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "future", "expires": num("1800000001")]))
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "string", "expires": "1"]))
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "ancient", "expires": num("100")]))
        _ = try db.putItem(PutItemInput(tableName: "items", item: ["pk": "none"]))
        // Expired but not yet swept: still readable, as in DynamoDB.
        #expect(try db.getItem(GetItemInput(tableName: "items", key: ["pk": "past"])).item != nil)
        #expect(try db.expireItems(now: now) == 2)
        for gone in ["past", "exact"] { #expect(try db.getItem(GetItemInput(tableName: "items", key: ["pk": .s(gone)])).item == nil) }
        for kept in ["future", "string", "ancient", "none"] { #expect(try db.getItem(GetItemInput(tableName: "items", key: ["pk": .s(kept)])).item != nil) }
        #expect(try db.describeTable(TableNameInput(tableName: "items")).table.itemCount == 4)
        let again = #expect(throws: DynamoDBError.self) {
            try db.updateTimeToLive(UpdateTimeToLiveInput(tableName: "items", timeToLiveSpecification: TimeToLiveSpecification(enabled: true, attributeName: "expires")))
        }
        #expect(again?.message == "TimeToLive is already enabled")
    }
}
