using System.Reflection;
using Kademlia.Records;
using Kademlia.Sqlite;

namespace Kademlia.Tests;

/// <summary>Issue 16 item 6: rules of the shipped libraries' public surface that a review of a first program asked for.</summary>
public sealed class PublicSurfaceTests
{
    private static readonly Assembly[] Shipped = [typeof(NodeInfo).Assembly, typeof(DhtNode).Assembly, typeof(DataDirectory).Assembly];

    private static IEnumerable<MethodInfo> PublicMethods() =>
        Shipped.SelectMany(a => a.GetExportedTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName);

    private static bool IsAsync(Type type) =>
        typeof(Task).IsAssignableFrom(type)
        || type == typeof(ValueTask)
        || (type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(ValueTask<>) || d == typeof(IAsyncEnumerable<>)));

    [Fact]
    public void Every_public_async_method_takes_a_cancellation_token()
    {
        var missing = PublicMethods()
            .Where(m => IsAsync(m.ReturnType) && m.Name != nameof(IAsyncDisposable.DisposeAsync))
            .Where(m => !m.GetParameters().Any(p => p.ParameterType == typeof(CancellationToken)))
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}")
            .ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Endpoint_is_spelled_one_way_in_our_own_names()
    {
        // IPEndPoint and EndPoint are the framework's types; our members say Endpoint.
        var names = Shipped.SelectMany(a => a.GetExportedTypes())
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly).Select(m => m.Name).Append(t.Name))
            .Where(n => n.Contains("EndPoint", StringComparison.Ordinal) && !n.Contains("IPEndPoint", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(names);
    }

    [Fact]
    public void Events_carry_no_live_routing_table_objects()
    {
        var live = typeof(EngineEvent).Assembly.GetExportedTypes()
            .Where(t => t.IsSubclassOf(typeof(EngineEvent)))
            .SelectMany(t => t.GetProperties().Select(p => (t, p)))
            .Where(x => x.p.PropertyType == typeof(Routing.Contact))
            .Select(x => $"{x.t.Name}.{x.p.Name}")
            .ToList();
        Assert.Empty(live);
        Assert.Equal(typeof(RoutingContact), typeof(ContactAdded).GetProperty(nameof(ContactAdded.Contact))!.PropertyType);
        Assert.Equal(typeof(RoutingContact), typeof(ContactEvicted).GetProperty(nameof(ContactEvicted.Contact))!.PropertyType);
    }

    [Fact]
    public void Test_helpers_are_not_in_the_shipped_assemblies()
    {
        var helpers = Shipped.SelectMany(a => a.GetExportedTypes()).Where(t => t.Name.StartsWith("Seeded", StringComparison.Ordinal)).ToList();
        Assert.Empty(helpers);
    }

    [Fact]
    public void A_record_signing_key_signs_mutable_records_that_verify_under_its_own_key()
    {
        using var key = RecordSigningKey.Generate();
        var record = MutableRecord.Create(key, "salt"u8, 7, "value"u8);
        Assert.Equal(RecordError.None, record.Verify());
        Assert.Equal(key.RecordKey("salt"u8), record.Key);
        Assert.Equal(key.PublicKey, record.Publisher);

        using var again = RecordSigningKey.FromPrivateSeed(key.ExportPrivateSeed());
        Assert.Equal(key.PublicKey, again.PublicKey);
        Assert.Equal(RecordError.None, MutableRecord.Create(again, "salt"u8, 8, "next"u8).Verify());
        Assert.Throws<ArgumentException>(() => RecordSigningKey.FromPrivateSeed(new byte[31]));
    }
}
