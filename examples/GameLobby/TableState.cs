using System.Text;

namespace GameLobby;

/// <summary>
/// The state of one tic-tac-toe table: <c>players=Alice,Carol;board=X...O....;next=O;status=playing</c>.
/// The host holds it and so does its guest; every move is applied on both sides (<see cref="TablePlayer"/>).
/// </summary>
internal sealed record TableState(IReadOnlyList<string> Players, string Board, char Next, string Status)
{
    public static TableState Open(string host) => new([host], new string('.', 9), 'X', "waiting");

    public bool IsFull => Players.Count == 2;

    /// <summary>Moves played so far: the number the next move has.</summary>
    public int Moves => Board.Count(c => c != '.');

    public TableState Join(string player) => this with { Players = [.. Players, player], Status = "playing" };

    /// <summary>The player whose turn it is: X is the host, O the guest.</summary>
    public string ToMove => Players[Next == 'X' ? 0 : 1];

    /// <summary>Whether <paramref name="cell"/> can be played now.</summary>
    public bool CanPlay(int cell) => Status == "playing" && cell is >= 0 and < 9 && Board[cell] == '.';

    public TableState Play(int cell)
    {
        if (!CanPlay(cell))
        {
            throw new InvalidOperationException($"cell {cell} cannot be played in state {this}");
        }

        var board = Board.ToCharArray();
        board[cell] = Next;
        var next = new string(board);
        var status = Wins(next, Next) ? $"won by {ToMove}" : next.Contains('.', StringComparison.Ordinal) ? "playing" : "draw";
        return this with { Board = next, Next = Next == 'X' ? 'O' : 'X', Status = status };
    }

    public byte[] Encode() => Encoding.UTF8.GetBytes(ToWire());

    public string ToWire() => $"players={string.Join(',', Players)};board={Board};next={Next};status={Status}";

    public static TableState Decode(string value)
    {
        var fields = value.Split(';').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
        return new TableState(fields["players"].Split(','), fields["board"], fields["next"][0], fields["status"]);
    }

    /// <summary>The board as three rows, for the console.</summary>
    public string Picture => $"{Board[..3]} {Board[3..6]} {Board[6..]}";

    public override string ToString() => $"[{Picture}] {string.Join(" vs ", Players)}, {Status}";

    public bool Equals(TableState? other) => other is not null && ToWire() == other.ToWire();

    public override int GetHashCode() => ToWire().GetHashCode(StringComparison.Ordinal);

    private static bool Wins(string b, char p) =>
        new[] { (0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6) }
            .Any(l => b[l.Item1] == p && b[l.Item2] == p && b[l.Item3] == p);
}
