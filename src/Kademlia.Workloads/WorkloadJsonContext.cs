using System.Text.Json.Serialization;

namespace Kademlia.Workloads;

/// <summary>Source-generated JSON for the reports (no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(NetworkReport))]
[JsonSerializable(typeof(PingReport))]
internal sealed partial class WorkloadJsonContext : JsonSerializerContext;
