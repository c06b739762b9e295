using System.Text;

namespace GameLobby;

/// <summary>
/// The state of one tic-tac-toe table, as the value of its mutable record:
/// <c>players=Alice,Carol;board=X...O....;next=O;status=playing</c>. Every move is a new record with
/// the next sequence number, written with compare-and-swap on the sequence it was based on.
/// </summary>
internal sealed record TableState(IReadOnlyList<string> Players, string Board, char Next, string Status)
{
    public static TableState Open(string host) => new([host], new string('.', 9), 'X', "waiting");

    public bool IsFull => Players.Count == 2;

    public TableState Join(string player) => this with { Players = [.. Players, player], Status = "playing" };

    /// <summary>The player whose turn it is: X is the host, O the guest.</summary>
    public string ToMove => Players[Next == 'X' ? 0 : 1];

    public TableState Play(int cell)
    {
        if (Status != "playing" || Board[cell] != '.')
        {
            throw new InvalidOperationException($"cell {cell} cannot be played in state {this}");
        }

        var board = Board.ToCharArray();
        board[cell] = Next;
        var next = new string(board);
        var status = Wins(next, Next) ? $"won by {ToMove}" : next.Contains('.', StringComparison.Ordinal) ? "playing" : "draw";
        return this with { Board = next, Next = Next == 'X' ? 'O' : 'X', Status = status };
    }

    public byte[] Encode() => Encoding.UTF8.GetBytes($"players={string.Join(',', Players)};board={Board};next={Next};status={Status}");

    public static TableState Decode(ReadOnlySpan<byte> value)
    {
        var fields = Encoding.UTF8.GetString(value).Split(';').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
        return new TableState(fields["players"].Split(','), fields["board"], fields["next"][0], fields["status"]);
    }

    /// <summary>The board as three rows, for the console.</summary>
    public string Picture => $"{Board[..3]} {Board[3..6]} {Board[6..]}";

    public override string ToString() => $"[{Picture}] {string.Join(" vs ", Players)}, {Status}";

    private static bool Wins(string b, char p) =>
        new[] { (0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6) }
            .Any(l => b[l.Item1] == p && b[l.Item2] == p && b[l.Item3] == p);
}
