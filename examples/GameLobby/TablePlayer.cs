using System.Diagnostics;
using System.Globalization;
using System.Text;
using Kademlia;
using Kademlia.Engine;
using Kademlia.Identity;

namespace GameLobby;

/// <summary>
/// One player's side of a table: its copy of the state, the channel to the other player and the requests
/// the other player sends on it (channel <see cref="Lobby.Channel"/>). The host seats the first player whose
/// JOIN arrives; then each move is a request the other side checks and applies, so both copies go through
/// the same states.
/// </summary>
/// <remarks>
/// The messages are text, one request and its answer each:
/// <list type="bullet">
/// <item><c>JOIN name</c> → <c>SEATED state</c> or <c>FULL state</c> (guest to host);</item>
/// <item><c>MOVE n cell</c> → <c>OK state</c> or <c>REFUSED state</c>, where n is the number of moves played
/// before it (either way). A request sent again after its answer was lost finds its move played, and is
/// answered OK again: moves are idempotent, as requests retried over a lossy path must be.</item>
/// </list>
/// </remarks>
internal sealed class TablePlayer : IAsyncDisposable
{
    /// <summary>How long one attempt of a request waits, and how many more are made: a rebinding repaired in a few seconds loses no move.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(1);
    private const int Retries = 7;

    private readonly DhtNode _node;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _seated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TableState _state;
    private PeerChannel? _opponent;
    private NodeId? _opponentId;
    private Task _receiving = Task.CompletedTask;

    private TablePlayer(DhtNode node, string name, TableState state)
    {
        _node = node;
        Name = name;
        _state = state;
    }

    public string Name { get; }

    /// <summary>This player's copy of the table.</summary>
    public TableState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The channel to the other player, once seated: it says whether the path is direct or relayed.</summary>
    public PeerChannel? Opponent => _opponent;

    /// <summary>Completes when a guest takes the free seat (host) or this player was seated (guest).</summary>
    public Task Seated => _seated.Task;

    /// <summary>Guest: from the <see cref="DhtNode.ConnectAsync(ProviderRecord, string, CancellationToken)"/> call until it returned the channel.</summary>
    public TimeSpan? TimeToConnect { get; private set; }

    /// <summary>Guest: from the <c>ConnectAsync</c> call until the host's answer to the first message (JOIN) arrived.</summary>
    public TimeSpan? TimeToFirstAnswer { get; private set; }

    /// <summary>Host: when the first message of any player arrived (wall clock, to compare with the guest's <see cref="ConnectStartedAt"/>).</summary>
    public DateTimeOffset? FirstMessageAt { get; private set; }

    /// <summary>Guest: when it called <c>ConnectAsync</c> (wall clock).</summary>
    public DateTimeOffset? ConnectStartedAt { get; private set; }

    /// <summary>This player's moves the other player applied (answered OK).</summary>
    public int MovesSent { get; private set; }

    /// <summary>The other player's moves this player applied.</summary>
    public int MovesReceived { get; private set; }

    /// <summary>Opens a table on <paramref name="node"/>: receives JOINs and moves from now on. Announce it with <see cref="Lobby.AnnounceAsync"/>.</summary>
    public static TablePlayer Host(DhtNode node, string name)
    {
        var host = new TablePlayer(node, name, TableState.Open(name));
        host._receiving = host.ReceiveAsync();
        return host;
    }

    /// <summary>Connects to the host of <paramref name="table"/> (punched or relayed) and asks for the free seat.</summary>
    /// <returns>The guest's side, or null when the table is full.</returns>
    public static async Task<TablePlayer?> JoinAsync(DhtNode node, string name, TableListing table, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        var channel = await node.ConnectAsync(table.Provider, Lobby.Channel, cancellationToken).ConfigureAwait(false);
        var connected = Stopwatch.GetElapsedTime(started);
        var guest = new TablePlayer(node, name, TableState.Open("?"))
        {
            _opponent = channel,
            _opponentId = channel.Peer.Id,
            ConnectStartedAt = startedAt,
            TimeToConnect = connected,
        };
        guest._receiving = guest.ReceiveAsync();
        var (verb, state) = await guest.AskAsync($"JOIN {name}", cancellationToken).ConfigureAwait(false);
        guest.TimeToFirstAnswer = Stopwatch.GetElapsedTime(started);
        if (verb != "SEATED")
        {
            await guest.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        guest.Update(state);
        guest._seated.TrySetResult();
        return guest;
    }

    /// <summary>Plays <paramref name="cell"/> (it must be this player's turn) and has the other player apply it.</summary>
    /// <exception cref="InvalidOperationException">Not this player's turn, the cell is taken, or the other player refused the move.</exception>
    public async Task PlayAsync(int cell, CancellationToken cancellationToken)
    {
        int number;
        TableState next;
        lock (_gate)
        {
            if (_opponent is null || _state.ToMove != Name)
            {
                throw new InvalidOperationException($"{Name} cannot move now: {_state}");
            }

            number = _state.Moves;
            next = _state.Play(cell);
            SetState(next); // first here, so that an answer move arriving before our request's answer finds it
        }

        var (verb, theirs) = await AskAsync(string.Create(CultureInfo.InvariantCulture, $"MOVE {number} {cell}"), cancellationToken).ConfigureAwait(false);
        if (verb != "OK" || !theirs.Equals(next))
        {
            throw new InvalidOperationException($"{_opponent.Peer.Id.ToShortString()} answered {verb} {theirs} to move {number} of {Name}");
        }

        MovesSent++;
    }

    /// <summary>
    /// Plays this player's share of <paramref name="cells"/>, the whole game's moves in order (the host's at
    /// even places, the guest's at odd ones), waiting for the other player's moves in between, until the game ends.
    /// Each side of a game on two machines runs it with the same cells.
    /// </summary>
    /// <exception cref="InvalidOperationException">The cells run out before the game ends, or a move was refused.</exception>
    public async Task PlayShareAsync(IReadOnlyList<int> cells, CancellationToken cancellationToken)
    {
        await Seated.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            Task changed;
            TableState state;
            lock (_gate)
            {
                state = _state;
                changed = _changed.Task;
            }

            if (state.Status != "playing")
            {
                return;
            }

            if (state.Moves >= cells.Count)
            {
                throw new InvalidOperationException($"the scripted moves ran out at {state}");
            }

            if (state.ToMove == Name)
            {
                await PlayAsync(cells[state.Moves], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _receiving.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (_opponent is { } opponent)
        {
            await opponent.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <summary>Replaces the state under the lock.</summary>
    private void Update(TableState state)
    {
        lock (_gate)
        {
            SetState(state);
        }
    }

    /// <summary>Sets the state and wakes whoever waits for a change; the caller holds <see cref="_gate"/>.</summary>
    private void SetState(TableState state)
    {
        _state = state;
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private async Task<(string Verb, TableState State)> AskAsync(string request, CancellationToken cancellationToken)
    {
        var answer = await _opponent!.RequestAsync(Encoding.UTF8.GetBytes(request), AttemptTimeout, Retries, cancellationToken).ConfigureAwait(false);
        var text = Encoding.UTF8.GetString(answer.Span);
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return (text[..space], TableState.Decode(text[(space + 1)..]));
    }

    private async Task ReceiveAsync()
    {
        await foreach (var message in _node.ReceiveAsync(Lobby.Channel, _stop.Token).ConfigureAwait(false))
        {
            if (!message.IsRequest)
            {
                continue;
            }

            FirstMessageAt ??= DateTimeOffset.UtcNow;

            var answer = await AnswerAsync(message, Encoding.UTF8.GetString(message.Payload.Span).Split(' ')).ConfigureAwait(false);
            await message.ReplyAsync(Encoding.UTF8.GetBytes(answer), _stop.Token).ConfigureAwait(false);
        }
    }

    private async Task<string> AnswerAsync(AppMessage message, string[] request)
    {
        switch (request)
        {
            case ["JOIN", var name] when _opponentId is null && !_state.IsFull:
                // The first to ask takes the seat; the host opens its own channel to the guest to send its moves.
                _opponentId = message.SenderId;
                _opponent = await _node.ConnectAsync(message.Sender, Lobby.Channel, cancellationToken: _stop.Token).ConfigureAwait(false);
                string seated;
                lock (_gate)
                {
                    SetState(_state.Join(name));
                    seated = $"SEATED {_state.ToWire()}"; // before the host may move: the move must reach the guest as a MOVE
                }

                _seated.TrySetResult();
                return seated;
            case ["JOIN", _]:
                return $"{(message.SenderId == _opponentId ? "SEATED" : "FULL")} {State.ToWire()}";
            case ["MOVE", var n, var c] when message.SenderId == _opponentId
                && int.TryParse(n, CultureInfo.InvariantCulture, out var number) && int.TryParse(c, CultureInfo.InvariantCulture, out var cell):
                if (!_seated.Task.IsCompleted)
                {
                    // Two machines: the host's first move may overtake the answer that seats this guest.
                    try
                    {
                        await _seated.Task.WaitAsync(AttemptTimeout * 5, _stop.Token).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        return $"REFUSED {State.ToWire()}";
                    }
                }

                lock (_gate)
                {
                    if (number == _state.Moves && _state.ToMove != Name && _state.CanPlay(cell))
                    {
                        SetState(_state.Play(cell));
                        MovesReceived++;
                        return $"OK {_state.ToWire()}";
                    }

                    // A move sent again after our answer was lost: played already.
                    var played = number == _state.Moves - 1 && cell is >= 0 and < 9 && _state.Board[cell] != '.' && _state.ToMove == Name;
                    return $"{(played ? "OK" : "REFUSED")} {_state.ToWire()}";
                }

            default:
                return $"REFUSED {State.ToWire()}";
        }
    }
}
