using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kademlia.Dashboard.Internal;

/// <summary>How the dashboard writes JSON: camelCase, enums as names, nulls left out.</summary>
internal static class DashboardJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };
}
