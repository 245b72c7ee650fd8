// The DynamoDB HTTP endpoint.
import StrataWire
