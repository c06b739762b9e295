using System.Collections.Immutable;

namespace Kademlia.Wire.Internal;

/// <summary>Argument checks and list equality shared by the messages that carry lists.</summary>
internal static class MessageChecks
{
    public static ImmutableArray<T> CheckCount<T>(ImmutableArray<T> items, int max, string parameterName)
    {
        var list = items.IsDefault ? [] : items;
        if (list.Length > max)
        {
            throw new ArgumentException($"At most {max} items fit one message, not {list.Length}.", parameterName);
        }

        return list;
    }

    public static void CheckFits(Message message)
    {
        var size = MessageCodec.GetByteCount(message);
        if (size > WireLimits.MaxMessageSize)
        {
            throw new ArgumentException(
                $"The {message.Type} message would take {size} bytes; a message is at most {WireLimits.MaxMessageSize}.");
        }
    }

    public static void CheckAppPayload(int length, string parameterName)
    {
        if (length > WireLimits.MaxAppPayload)
        {
            throw new ArgumentException(
                $"An application payload is at most {WireLimits.MaxAppPayload} bytes (one packet), not {length}.", parameterName);
        }
    }

    public static bool SequenceEqual<T>(ImmutableArray<T> a, ImmutableArray<T> b)
        where T : IEquatable<T> =>
        a.AsSpan().SequenceEqual(b.AsSpan());
}
