// DynamoDB item semantics on StrataStorage.
@_exported import StrataStorage
