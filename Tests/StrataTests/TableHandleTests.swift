import Foundation
import Testing
@testable import Strata

private struct User: Codable, Equatable {
    var id: String
    var name: String
    var age: Int
    var tags: Set<String> = []
    var visits: Int?
}

private struct Event: Codable, Equatable {
    var user: String
    var at: Int
    var kind: String
}

private func makeDatabaseWithUsers() throws -> (Database, Table) {
    let db = try makeDatabase()
    let users = try db.createTable(named: "users", partitionKey: ("id", .s))
    return (db, users)
}

@Suite struct TableHandleTests {
    @Test func handleOfAnExistingTable() throws {
        let db = try makeDatabase(sorted: true)
        let items = try db.table(named: "items")
        #expect(items.name == "items")
        #expect(items.partitionKey.name == "pk" && items.partitionKey.type == .s)
        #expect(items.sortKey?.name == "sk" && items.sortKey?.type == .n)
        let e = #expect(throws: DynamoDBError.self) { try db.table(named: "missing") }
        #expect(e?.code == .resourceNotFound)
    }

    @Test func createTableHelper() throws {
        let db = try makeDatabase()
        let events = try db.createTable(named: "events", partitionKey: ("user", .s), sortKey: ("at", .n))
        let d = try db.describeTable(TableNameInput(tableName: "events")).table
        #expect(d.keySchema == [KeySchemaElement(attributeName: "user", keyType: .hash),
                                KeySchemaElement(attributeName: "at", keyType: .range)])
        #expect(events.sortKey?.name == "at")
        let e = #expect(throws: DynamoDBError.self) { try db.createTable(named: "events", partitionKey: ("user", .s)) }
        #expect(e?.code == .resourceInUse)
    }

    @Test func putAndGetCodable() throws {
        let (_, users) = try makeDatabaseWithUsers()
        let ada = User(id: "u1", name: "Ada", age: 36, tags: ["math"])
        try users.put(ada)
        #expect(try users.get(["id": "u1"], as: User.self) == ada)
        let typed: User? = try users.get(["id": "u1"])
        #expect(typed == ada)
        #expect(try users.get(["id": "nobody"], as: User.self) == nil)
        // The raw variant.
        #expect(try users.get(["id": "u1"]) == ["id": "u1", "name": "Ada", "age": 36, "tags": .ss(["math"])])
    }

    @Test func rawItemsAndProjection() throws {
        let (_, users) = try makeDatabaseWithUsers()
        try users.put(["id": "u2", "name": "Grace", "age": 45])
        #expect(try users.get(["id": "u2"], consistentRead: true, projection: "#n", names: ["#n": "name"]) == ["name": "Grace"])
    }

    @Test func conditionalPut() throws {
        let (_, users) = try makeDatabaseWithUsers()
        let ada = User(id: "u1", name: "Ada", age: 36)
        try users.put(ada, condition: "attribute_not_exists(id)")
        let e = #expect(throws: DynamoDBError.self) {
            try users.put(User(id: "u1", name: "Imposter", age: 1), condition: "attribute_not_exists(id)")
        }
        #expect(e?.code == .conditionalCheckFailed)
        try users.put(User(id: "u1", name: "Ada L.", age: 36), condition: "age = :age", values: [":age": 36])
        #expect(try users.get(["id": "u1"], as: User.self)?.name == "Ada L.")
    }

    @Test func updateReturnsTheNewItem() throws {
        let (_, users) = try makeDatabaseWithUsers()
        try users.put(User(id: "u1", name: "Ada", age: 36))
        let updated = try users.update(key: ["id": "u1"], "SET age = age + :one ADD visits :one, tags :t",
                                       values: [":one": 1, ":t": .ss(["x"])], as: User.self)
        #expect(updated == User(id: "u1", name: "Ada", age: 37, tags: ["x"], visits: 1))
        let old = try users.update(key: ["id": "u1"], "REMOVE visits", returning: .allOld)
        #expect(old?["visits"] == num("1"))
        #expect(try users.update(key: ["id": "u1"], "SET #n = :n", names: ["#n": "name"], values: [":n": "A"], returning: .none) == nil)
        let e = #expect(throws: DynamoDBError.self) {
            try users.update(key: ["id": "u1"], "SET age = :a", condition: "age > :a", values: [":a": 100])
        }
        #expect(e?.code == .conditionalCheckFailed)
        #expect(try users.get(["id": "u1"], as: User.self) == User(id: "u1", name: "A", age: 37, tags: ["x"]))
    }

    @Test func deleteReturnsTheDeletedItem() throws {
        let (_, users) = try makeDatabaseWithUsers()
        let ada = User(id: "u1", name: "Ada", age: 36)
        try users.put(ada)
        let e = #expect(throws: DynamoDBError.self) { try users.delete(["id": "u1"], condition: "age < :a", values: [":a": 18]) }
        #expect(e?.code == .conditionalCheckFailed)
        #expect(try users.delete(users.key(of: ada)) == ["id": "u1", "name": "Ada", "age": 36])
        #expect(try users.get(["id": "u1"]) == nil)
        #expect(try users.delete(["id": "u1"]) == nil)
    }

    @Test func keyOfAValue() throws {
        let db = try makeDatabase()
        let events = try db.createTable(named: "events", partitionKey: ("user", .s), sortKey: ("at", .n))
        #expect(try events.key(of: Event(user: "u1", at: 5, kind: "login")) == ["user": "u1", "at": 5])
        #expect(throws: EncodingError.self) { try events.key(of: User(id: "u1", name: "x", age: 1)) }
    }

    @Test func putRejectsInvalidItemsWithDynamoDBErrors() throws {
        let (_, users) = try makeDatabaseWithUsers()
        let e = #expect(throws: DynamoDBError.self) { try users.put(Event(user: "u1", at: 1, kind: "x")) }
        #expect(e?.code == .validation)
    }

    // MARK: query and scan

    static func events() throws -> Table {
        let db = try makeDatabase()
        let events = try db.createTable(named: "events", partitionKey: ("user", .s), sortKey: ("at", .n))
        for user in ["a", "b"] {
            for at in 0..<30 {
                try events.put(Event(user: user, at: at, kind: at % 3 == 0 ? "login" : "click"))
            }
        }
        return events
    }

    @Test func queryFollowsPages() throws {
        let events = try Self.events()
        let all = try events.query(partition: "a", as: Event.self)
        #expect(all.map(\.at) == Array(0..<30))
        #expect(all.allSatisfy { $0.user == "a" })
        let descending = try events.query(partition: "b", ascending: false, limit: 4, as: Event.self)
        #expect(descending.map(\.at) == [29, 28, 27, 26])
        #expect(try events.query(partition: "nobody", as: Event.self).isEmpty)
    }

    @Test(arguments: [
        (SortKeyCondition.equal(5), [5]),
        (.lessThan(3), [0, 1, 2]),
        (.lessThanOrEqual(2), [0, 1, 2]),
        (.greaterThan(27), [28, 29]),
        (.greaterThanOrEqual(28), [28, 29]),
        (.between(10, 12), [10, 11, 12]),
    ])
    func querySortKeyConditions(_ condition: SortKeyCondition, _ expected: [Int]) throws {
        let events = try Self.events()
        #expect(try events.query(partition: "a", sortKey: condition, as: Event.self).map(\.at) == expected)
    }

    @Test func queryWithFilterAndLimitCountsMatches() throws {
        let events = try Self.events()
        // Each page evaluates only the items still wanted, so a filter makes several pages.
        let logins = try events.query(partition: "a", filter: "kind = :k", values: [":k": "login"], limit: 4, as: Event.self)
        #expect(logins.map(\.at) == [0, 3, 6, 9])
        let raw: [Item] = try events.query(partition: "a", sortKey: .greaterThanOrEqual(27), filter: "#k = :k",
                                           names: ["#k": "kind"], values: [":k": "click"])
        #expect(raw.map { $0["at"] } == [num("28"), num("29")])
        #expect(try events.query(partition: "a", limit: 0, as: Event.self).isEmpty)
    }

    @Test func beginsWithOnAStringSortKey() throws {
        let db = try makeDatabase()
        let files = try db.createTable(named: "files", partitionKey: ("dir", .s), sortKey: ("name", .s))
        for name in ["a.txt", "b.txt", "ab.md", "c"] { try files.put(["dir": "/", "name": .s(name)]) }
        let found = try files.query(partition: "/", sortKey: .beginsWith("a"))
        #expect(found.map { $0["name"] } == [.s("a.txt"), .s("ab.md")])
    }

    @Test func sortKeyConditionWithoutASortKey() throws {
        let (_, users) = try makeDatabaseWithUsers()
        let e = #expect(throws: DynamoDBError.self) { try users.query(partition: "u1", sortKey: .equal(1)) }
        #expect(e?.code == .validation)
    }

    @Test func scanFollowsPages() throws {
        let events = try Self.events()
        let all = try events.scan(as: Event.self)
        #expect(all.count == 60)
        #expect(Set(all.map { "\($0.user)\($0.at)" }).count == 60)
        let logins = try events.scan(filter: "kind = :k", values: [":k": "login"], as: Event.self)
        #expect(logins.count == 20)
        #expect(try events.scan(limit: 7).count == 7)
    }

    @Test func queryAndScanFollowPagesPastOneMegabyte() throws {
        let db = try makeDatabase()
        let blobs = try db.createTable(named: "blobs", partitionKey: ("p", .s), sortKey: ("i", .n))
        let payload = String(repeating: "x", count: 100_000)
        for i in 0..<25 { try blobs.put(["p": "a", "i": .n(Number(i)), "data": .s(payload)]) }
        // One page holds at most 1 MB, so 2.5 MB takes three.
        let page = try db.query(QueryInput(tableName: "blobs", keyConditionExpression: "p = :p", expressionAttributeValues: [":p": "a"]))
        #expect(page.lastEvaluatedKey != nil)
        #expect(try blobs.query(partition: "a").map { $0["i"] } == (0..<25).map { .n(Number($0)) })
        #expect(try blobs.scan().count == 25)
    }

    @Test func decodingFailuresSurfaceFromQueries() throws {
        let events = try Self.events()
        try events.put(["user": "a", "at": 100, "kind": 1])
        #expect(throws: DecodingError.self) { try events.query(partition: "a", as: Event.self) }
    }
}
