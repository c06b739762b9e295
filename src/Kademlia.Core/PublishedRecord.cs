using Kademlia.Engine;
using Kademlia.Identity;
using Kademlia.Records;

namespace Kademlia;

/// <summary>
/// A value or a provider announcement this node publishes and republishes every
/// <see cref="NetworkParameters.RepublishInterval"/>, as <see cref="KademliaEngine.Published"/> lists it
/// and <see cref="KademliaEngine.Restore"/> takes it back after a restart.
/// </summary>
/// <remarks>
/// The list lives only in the engine; a host that restarts without saving it stops republishing, and
/// everything it published expires one <see cref="NetworkParameters.RecordTtl"/> later. Save it when
/// <see cref="PublishedChanged"/> is reported.
/// </remarks>
public sealed class PublishedRecord
{
    private readonly byte[] _applicationData;

    private PublishedRecord(NodeId key, ValueRecord? value, byte[] applicationData, DateTimeOffset nextRepublish)
    {
        Key = key;
        Value = value;
        _applicationData = applicationData;
        NextRepublish = nextRepublish;
    }

    /// <summary>The record's key, or the topic of an announcement.</summary>
    public NodeId Key { get; }

    /// <summary>The value record, or null for an announcement.</summary>
    public ValueRecord? Value { get; }

    /// <summary>True for a provider announcement (<see cref="Key"/> is its topic), false for a value.</summary>
    public bool IsAnnouncement => Value is null;

    /// <summary>The application data of an announcement (empty for a value).</summary>
    public ReadOnlyMemory<byte> ApplicationData => _applicationData;

    /// <summary>When it is next stored again on the k closest nodes.</summary>
    public DateTimeOffset NextRepublish { get; }

    /// <summary>A value of ours, next republished at <paramref name="nextRepublish"/>.</summary>
    public static PublishedRecord ForValue(ValueRecord record, DateTimeOffset nextRepublish)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new PublishedRecord(record.Key, record, [], nextRepublish);
    }

    /// <summary>An announcement of ours as a provider of <paramref name="topic"/>, next made at <paramref name="nextRepublish"/>.</summary>
    /// <exception cref="ArgumentException">The application data is longer than <see cref="RecordLimits.MaxApplicationDataSize"/> bytes.</exception>
    public static PublishedRecord ForAnnouncement(NodeId topic, ReadOnlySpan<byte> applicationData, DateTimeOffset nextRepublish)
    {
        if (applicationData.Length > RecordLimits.MaxApplicationDataSize)
        {
            throw new ArgumentException($"Application data is at most {RecordLimits.MaxApplicationDataSize} bytes, not {applicationData.Length}.", nameof(applicationData));
        }

        return new PublishedRecord(topic, null, applicationData.ToArray(), nextRepublish);
    }

    internal byte[] ApplicationDataArray => _applicationData;
}
