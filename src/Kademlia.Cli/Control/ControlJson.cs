using System.Text.Json.Serialization;

namespace Kademlia.Cli.Control;

/// <summary>
/// Source-generated JSON for the control protocol and <c>--json</c> output: camelCase, nulls left
/// out, one object per line (never indented, so a line is a message).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlReply))]
[JsonSerializable(typeof(OperationResult))]
[JsonSerializable(typeof(ControlFile.Contents))]
internal sealed partial class ControlJson : JsonSerializerContext;
