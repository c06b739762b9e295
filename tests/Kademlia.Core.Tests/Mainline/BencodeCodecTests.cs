using System.Text;
using CsCheck;
using Kademlia.Mainline;

namespace Kademlia.Tests.Mainline;

public class BencodeCodecTests
{
    private static BencodeError Read(string text, out BencodeValue? value) => BencodeReader.TryRead(Encoding.Latin1.GetBytes(text), out value);

    private static string Write(BencodeValue value) => Encoding.Latin1.GetString(BencodeWriter.Encode(value));

    [Theory]
    [InlineData("i0e", 0L)]
    [InlineData("i42e", 42L)]
    [InlineData("i-42e", -42L)]
    [InlineData("i9223372036854775807e", long.MaxValue)]
    [InlineData("i-9223372036854775808e", long.MinValue)]
    public void Integers_read_and_write_as_bep_3_specifies(string encoded, long expected)
    {
        Assert.Equal(BencodeError.None, Read(encoded, out var value));
        Assert.Equal(expected, Assert.IsType<BencodeInteger>(value).Value);
        Assert.Equal(encoded, Write(value!));
    }

    [Fact]
    public void Strings_lists_and_dictionaries_read_as_bep_3_specifies()
    {
        // BEP 3's examples: 4:spam, l4:spam4:eggse, d3:cow3:moo4:spam4:eggse, d4:spaml1:a1:bee.
        Assert.Equal(BencodeError.None, Read("4:spam", out var spam));
        Assert.Equal("spam", Encoding.ASCII.GetString(Assert.IsType<BencodeString>(spam).Span));

        Assert.Equal(BencodeError.None, Read("0:", out var empty));
        Assert.Equal(0, Assert.IsType<BencodeString>(empty).Length);

        Assert.Equal(BencodeError.None, Read("l4:spam4:eggse", out var list));
        Assert.Equal(new BencodeList(BencodeString.FromUtf8("spam"), BencodeString.FromUtf8("eggs")), list);

        Assert.Equal(BencodeError.None, Read("d3:cow3:moo4:spam4:eggse", out var dictionary));
        var d = Assert.IsType<BencodeDictionary>(dictionary);
        Assert.True(d.TryGetValue("cow"u8, out var moo));
        Assert.Equal(BencodeString.FromUtf8("moo"), moo);
        Assert.False(d.TryGetValue("pig"u8, out _));

        Assert.Equal(BencodeError.None, Read("d4:spaml1:a1:bee", out var nested));
        Assert.Equal(2, nested!.Depth);
    }

    [Fact]
    public void A_dictionary_built_in_any_order_writes_its_keys_sorted_as_raw_bytes()
    {
        var dictionary = new BencodeDictionary(
            ("zebra", new BencodeInteger(1)),
            ("Zebra", new BencodeInteger(2)),
            ("a", BencodeList.Empty),
            ("", BencodeString.Empty));

        // Upper case sorts before lower case as raw bytes, and the empty key first.
        Assert.Equal("d0:0:5:Zebrai2e1:ale5:zebrai1ee", Write(dictionary));
    }

    [Fact]
    public void A_dictionary_refuses_a_repeated_key_when_built() =>
        Assert.Throws<ArgumentException>(() => new BencodeDictionary(("a", new BencodeInteger(1)), ("a", new BencodeInteger(2))));

    [Fact]
    public void Values_cannot_be_built_deeper_than_the_supported_depth()
    {
        BencodeValue value = BencodeString.Empty;
        for (var i = 0; i < BencodeLimits.MaxSupportedDepth; i++)
        {
            value = new BencodeList(value);
        }

        Assert.Equal(BencodeLimits.MaxSupportedDepth, value.Depth);
        Assert.Throws<ArgumentException>(() => new BencodeList(value));
    }

    [Theory]
    [InlineData("", BencodeError.Truncated)]
    [InlineData("i", BencodeError.Truncated)]
    [InlineData("i12", BencodeError.Truncated)]
    [InlineData("5:abc", BencodeError.Truncated)]
    [InlineData("99999999999999999999:", BencodeError.Truncated)]
    [InlineData("l", BencodeError.Truncated)]
    [InlineData("d1:a", BencodeError.Truncated)]
    [InlineData("i1ei2e", BencodeError.TrailingBytes)]
    [InlineData("x", BencodeError.UnexpectedByte)]
    [InlineData("e", BencodeError.UnexpectedByte)]
    [InlineData("ie", BencodeError.InvalidInteger)]
    [InlineData("i-e", BencodeError.InvalidInteger)]
    [InlineData("i+1e", BencodeError.InvalidInteger)]
    [InlineData("i1.5e", BencodeError.InvalidInteger)]
    [InlineData("i 1e", BencodeError.InvalidInteger)]
    [InlineData("i9223372036854775808e", BencodeError.IntegerOutOfRange)]
    [InlineData("i-9223372036854775809e", BencodeError.IntegerOutOfRange)]
    [InlineData("i99999999999999999999999e", BencodeError.IntegerOutOfRange)]
    [InlineData("i03e", BencodeError.LeadingZero)]
    [InlineData("i00e", BencodeError.LeadingZero)]
    [InlineData("i-03e", BencodeError.LeadingZero)]
    [InlineData("i-0e", BencodeError.NegativeZero)]
    [InlineData("03:abc", BencodeError.LeadingZero)]
    [InlineData("00:", BencodeError.LeadingZero)]
    [InlineData("3abc", BencodeError.InvalidStringLength)]
    [InlineData("di1ei2ee", BencodeError.KeyNotString)]
    [InlineData("dle1:ae", BencodeError.KeyNotString)]
    [InlineData("d1:bi1e1:ai2ee", BencodeError.UnsortedKeys)]
    [InlineData("d1:ai1e1:ai2ee", BencodeError.DuplicateKey)]
    [InlineData("d2:aai1e1:ai2ee", BencodeError.UnsortedKeys)]
    public void Malformed_and_non_canonical_input_is_refused_with_its_reason(string input, BencodeError expected)
    {
        Assert.Equal(expected, Read(input, out var value));
        Assert.Null(value);
    }

    [Fact]
    public void Nesting_past_the_limit_is_refused_and_at_the_limit_accepted()
    {
        var limits = new BencodeLimits { MaxDepth = 5 };
        var atLimit = Encoding.ASCII.GetBytes(new string('l', 5) + new string('e', 5));
        var pastLimit = Encoding.ASCII.GetBytes(new string('l', 6) + new string('e', 6));
        Assert.Equal(BencodeError.None, BencodeReader.TryRead(atLimit, limits, out _));
        Assert.Equal(BencodeError.NestingTooDeep, BencodeReader.TryRead(pastLimit, limits, out _));

        // Sixty thousand opening brackets: refused at the default depth without exhausting the stack.
        var deep = new byte[60_000];
        deep.AsSpan().Fill((byte)'l');
        Assert.Equal(BencodeError.NestingTooDeep, BencodeReader.TryRead(deep, out _));
    }

    [Fact]
    public void Input_longer_than_the_limit_is_refused_before_it_is_read()
    {
        var limits = new BencodeLimits { MaxInputLength = 8 };
        Assert.Equal(BencodeError.None, BencodeReader.TryRead("6:abcdef"u8, limits, out _));
        Assert.Equal(BencodeError.InputTooLarge, BencodeReader.TryRead("7:abcdefg"u8, limits, out _));
    }

    [Fact]
    public void Every_value_round_trips_and_its_byte_count_is_exact() =>
        BencodeGen.Value.Sample(value =>
        {
            var count = BencodeWriter.GetByteCount(value);
            var buffer = new byte[count + 3];
            Assert.True(BencodeWriter.TryWrite(buffer, value, out var written));
            Assert.Equal(count, written);
            Assert.False(BencodeWriter.TryWrite(buffer.AsSpan(0, count - 1), value, out var none));
            Assert.Equal(0, none);

            Assert.Equal(BencodeError.None, BencodeReader.TryRead(buffer.AsSpan(0, written), out var read));
            Assert.Equal(value, read);
            Assert.Equal(value.GetHashCode(), read!.GetHashCode());
        });

    [Fact]
    public void Output_is_canonical_keys_strictly_ascending_and_no_leading_zeros() =>
        BencodeGen.Value.Sample(value =>
        {
            var encoded = BencodeWriter.Encode(value);
            Assert.Equal(BencodeError.None, BencodeReader.TryRead(encoded, out _));
            AssertCanonical(value);
            var text = Encoding.Latin1.GetString(encoded);
            Assert.DoesNotContain("i-0e", text, StringComparison.Ordinal);
        });

    [Fact]
    public void Every_proper_prefix_of_a_valid_encoding_is_truncated() =>
        BencodeGen.Value.Sample(value =>
        {
            var encoded = BencodeWriter.Encode(value);
            for (var length = 0; length < encoded.Length; length++)
            {
                Assert.Equal(BencodeError.Truncated, BencodeReader.TryRead(encoded.AsSpan(0, length), out _));
            }
        }, iter: 200);

    private static void AssertCanonical(BencodeValue value)
    {
        switch (value)
        {
            case BencodeList list:
                foreach (var item in list.Items)
                {
                    AssertCanonical(item);
                }

                break;
            case BencodeDictionary dictionary:
                for (var i = 1; i < dictionary.Count; i++)
                {
                    Assert.True(dictionary.Entries[i - 1].Key.CompareTo(dictionary.Entries[i].Key) < 0);
                }

                // The order entries are given in does not reach the bytes.
                var reversed = new BencodeDictionary(dictionary.Entries.Reverse());
                Assert.Equal(BencodeWriter.Encode(dictionary), BencodeWriter.Encode(reversed));

                foreach (var entry in dictionary.Entries)
                {
                    AssertCanonical(entry.Value);
                }

                break;
        }
    }
}
