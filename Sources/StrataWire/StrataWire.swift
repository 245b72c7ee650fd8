// DynamoDB JSON 1.0 wire codec: request and response bodies <-> Strata operation inputs and outputs.
@_exported import Strata
