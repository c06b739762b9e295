using System.CommandLine;
using CsCheck;

namespace Kademlia.Cli.Tests;

public sealed class NearestCommandTests
{
    private static readonly Gen<string> GenWord = Gen.Char['a', 'e'].Array[0, 8].Select(c => new string(c));

    [Fact]
    public void Edit_distance_is_a_symmetric_count_of_edits_bounded_by_the_lengths() =>
        Gen.Select(GenWord, GenWord).Sample((a, b) =>
        {
            var d = NearestCommand.EditDistance(a, b);
            Assert.Equal(d, NearestCommand.EditDistance(b, a));
            Assert.Equal(a == b, d == 0);
            Assert.InRange(d, Math.Abs(a.Length - b.Length), Math.Max(a.Length, b.Length));
        });

    [Fact]
    public void Swapping_two_neighbouring_letters_costs_one_edit() =>
        Gen.Select(GenWord.Where(w => w.Length >= 2), Gen.Int).Sample((word, at) =>
        {
            var i = Math.Abs(at % (word.Length - 1));
            var swapped = word.ToCharArray();
            (swapped[i], swapped[i + 1]) = (swapped[i + 1], swapped[i]);
            Assert.True(NearestCommand.EditDistance(word, new string(swapped)) <= 1);
        });

    [Fact]
    public void A_typo_gets_the_command_it_resembles_and_another_word_gets_none()
    {
        var root = new RootCommand { new Command("status"), new Command("announce"), new Command("put"), new Command("providers") };

        Assert.Equal("status", NearestCommand.Suggest(root, "stauts"));
        Assert.Equal("announce", NearestCommand.Suggest(root, "anounce"));
        Assert.Equal("providers", NearestCommand.Suggest(root, "PROVIDRES"));
        Assert.Equal("put", NearestCommand.Suggest(root, "pu"));
        Assert.Null(NearestCommand.Suggest(root, "xyzzy"));
        Assert.Null(NearestCommand.Suggest(new Command("leaf"), "anything"));
    }
}
