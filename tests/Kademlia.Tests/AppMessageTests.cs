using System.Net;
using System.Text;
using Kademlia.Identity;
using Kademlia.Wire;

namespace Kademlia.Tests;

/// <summary>Application messages between nodes on loopback UDP (docs/PROTOCOL.md, "Application messages").</summary>
public sealed class AppMessageTests : IAsyncLifetime
{
    private DhtNode _a = null!;
    private DhtNode _b = null!;

    public async Task InitializeAsync()
    {
        _a = await StartAsync();
        _b = await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task Two_nodes_exchange_datagrams_on_two_channels_and_each_receiver_sees_only_its_own()
    {
        await using var chat = await Receiving.StartAsync(_b, "chat");
        await using var moves = await Receiving.StartAsync(_b, "game.moves/1");

        await _a.SendAsync(_b.Info, "chat", "hello"u8.ToArray(), Guard());
        await _a.SendAsync(_b.Info, "game.moves/1", "e2e4"u8.ToArray(), Guard());
        await _a.SendAsync(_b.Info, "chat", "gg"u8.ToArray(), Guard());

        var first = await chat.NextAsync();
        var second = await chat.NextAsync();
        var move = await moves.NextAsync();
        Assert.Equal(new[] { "gg", "hello" }, new[] { first, second }.Select(m => Encoding.ASCII.GetString(m.Payload.Span)).Order());
        Assert.Equal("e2e4", Encoding.ASCII.GetString(move.Payload.Span));
        Assert.All(new[] { first, second, move }, m =>
        {
            Assert.Equal(_a.Id, m.SenderId); // verified by the session, not claimed in the message
            Assert.Equal(_a.Info.Endpoint, m.Sender.Endpoint);
            Assert.False(m.IsRequest);
        });
        Assert.Equal("game.moves/1", move.Channel);

        // And back, to the sender as it was received.
        await using var replies = await Receiving.StartAsync(_a, "chat");
        await _b.SendAsync(first.Sender, "chat", "hi"u8.ToArray(), Guard());
        Assert.Equal(_b.Id, (await replies.NextAsync()).SenderId);
    }

    [Fact]
    public async Task A_request_gets_the_answer_of_the_application_receiving_on_its_channel()
    {
        await using var lobby = await Receiving.StartAsync(_b, "lobby/1");
        var answered = Task.Run(async () =>
        {
            var request = await lobby.NextAsync();
            Assert.True(request.IsRequest);
            Assert.Equal(_a.Id, request.SenderId);
            Assert.True(await request.ReplyAsync(Encoding.ASCII.GetBytes("seat for " + Encoding.ASCII.GetString(request.Payload.Span)), Guard()));
            await Assert.ThrowsAsync<InvalidOperationException>(() => request.ReplyAsync("again"u8.ToArray()).AsTask());
        });

        var answer = await _a.RequestAsync(_b.Info, "lobby/1", "alice"u8.ToArray(), TimeSpan.FromSeconds(5), retries: 2, Guard());

        Assert.Equal("seat for alice", Encoding.ASCII.GetString(answer.Span));
        await answered;
    }

    [Fact]
    public async Task The_largest_payload_goes_both_ways()
    {
        var payload = Enumerable.Range(0, DhtNode.MaxAppPayload).Select(i => (byte)(i * 7)).ToArray();
        await using var echo = await Receiving.StartAsync(_b, "echo");
        var echoed = Task.Run(async () =>
        {
            var request = await echo.NextAsync();
            await request.ReplyAsync(request.Payload, Guard());
        });

        var answer = await _a.RequestAsync(_b.Info, "echo", payload, TimeSpan.FromSeconds(5), retries: 2, Guard());

        Assert.Equal(payload, answer.ToArray());
        await echoed;
    }

    [Fact]
    public async Task A_request_nobody_answers_times_out_after_its_attempts_and_one_nobody_receives_is_refused_at_once()
    {
        await using var silent = await Receiving.StartAsync(_b, "silent");

        var timedOut = await Assert.ThrowsAsync<TimeoutException>(() =>
            _a.RequestAsync(_b.Info, "silent", "anyone?"u8.ToArray(), TimeSpan.FromMilliseconds(200), retries: 1, Guard()));
        Assert.Contains("2 attempts", timedOut.Message, StringComparison.Ordinal);
        Assert.True((await silent.NextAsync()).IsRequest); // it arrived; its application just never answered

        var refused = await Assert.ThrowsAsync<AppRequestRefusedException>(() =>
            _a.RequestAsync(_b.Info, "nobody", "anyone?"u8.ToArray(), TimeSpan.FromSeconds(30), retries: 5, Guard()));
        Assert.Equal(ErrorCode.NoSuchChannel, refused.Reason);
        Assert.Equal(_b.Id, refused.Peer);
        Assert.Equal("nobody", refused.Channel);
    }

    [Fact]
    public async Task Payloads_and_channels_that_cannot_be_sent_are_refused_with_a_clear_ArgumentException()
    {
        var tooLarge = new byte[DhtNode.MaxAppPayload + 1];

        var send = await Assert.ThrowsAsync<ArgumentException>(() => _a.SendAsync(_b.Info, "chat", tooLarge).AsTask());
        Assert.Equal("payload", send.ParamName);
        Assert.Contains("1202", send.Message, StringComparison.Ordinal);
        var request = Assert.Throws<ArgumentException>(() => { _ = _a.RequestAsync(_b.Info, "chat", tooLarge, TimeSpan.FromSeconds(1), 0); }); // at the call, not in the task
        Assert.Equal("payload", request.ParamName);
        Assert.Equal("channel", Assert.Throws<ArgumentException>(() => _a.ReceiveAsync("two words")).ParamName);
        Assert.Equal("channel", Assert.Throws<ArgumentException>(() => _a.ReceiveAsync(new string('x', 33))).ParamName);
        Assert.Equal("channel", (await Assert.ThrowsAsync<ArgumentException>(() => _a.SendAsync(_b.Info, "", "x"u8.ToArray()).AsTask())).ParamName);
        Assert.Equal("peer", (await Assert.ThrowsAsync<ArgumentException>(() => _a.SendAsync(_a.Info, "chat", "x"u8.ToArray()).AsTask())).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _a.RequestAsync(_b.Info, "chat", "x"u8.ToArray(), TimeSpan.Zero, 0); });

        await using var lobby = await Receiving.StartAsync(_b, "lobby/1");
        var answered = Task.Run(async () =>
        {
            var received = await lobby.NextAsync();
            Assert.Throws<ArgumentException>(() => received.ReplyAsync(tooLarge));
            Assert.True(await received.ReplyAsync("ok"u8.ToArray())); // the refused answer did not use up the one reply
        });
        Assert.Equal("ok", Encoding.ASCII.GetString((await _a.RequestAsync(_b.Info, "lobby/1", "x"u8.ToArray(), TimeSpan.FromSeconds(5), 2, Guard())).Span));
        await answered;
    }

    [Fact]
    public async Task A_channel_has_one_receiver_at_a_time()
    {
        var first = await Receiving.StartAsync(_b, "solo");
        var second = _b.ReceiveAsync("solo", Guard()).GetAsyncEnumerator();
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.MoveNextAsync().AsTask());
        await second.DisposeAsync();

        await first.DisposeAsync();
        await using var third = await Receiving.StartAsync(_b, "solo");
        await _a.SendAsync(_b.Info, "solo", "after"u8.ToArray(), Guard());
        Assert.Equal("after", Encoding.ASCII.GetString((await third.NextAsync()).Payload.Span));
    }

    [Fact]
    public async Task A_request_its_receiver_has_no_room_for_is_refused_RATE_LIMITED_instead_of_left_to_time_out()
    {
        await using var small = await StartAsync(appInboxCapacity: 1);
        await using var busy = await Receiving.StartAsync(small, "busy");

        // The application took one request and reads no more for now; its queue holds one more, and the
        // third has no room.
        var requests = new List<Task<ReadOnlyMemory<byte>>> { _a.RequestAsync(small.Info, "busy", new byte[] { 0 }, TimeSpan.FromSeconds(30), 0, Guard()) };
        var taken = await busy.NextAsync();
        requests.Add(_a.RequestAsync(small.Info, "busy", new byte[] { 1 }, TimeSpan.FromSeconds(30), 0, Guard()));
        requests.Add(_a.RequestAsync(small.Info, "busy", new byte[] { 2 }, TimeSpan.FromSeconds(30), 0, Guard()));
        var refused = await Task.WhenAny(requests.Skip(1));

        var exception = await Assert.ThrowsAsync<AppRequestRefusedException>(() => refused);
        Assert.Equal(ErrorCode.RateLimited, exception.Reason);
        var statistics = await small.GetStatisticsAsync(Guard());
        Assert.Equal(1, statistics.Engine.Drops.GetValueOrDefault("runtime.AppInboxFull"));

        Assert.True(await taken.ReplyAsync("later"u8.ToArray(), Guard()));
        Assert.True(await (await busy.NextAsync()).ReplyAsync("later"u8.ToArray(), Guard()));

        Assert.All(await Task.WhenAll(requests.Where(r => r != refused)), answer => Assert.Equal("later"u8.ToArray(), answer.ToArray()));
    }

    private static CancellationToken Guard() => new CancellationTokenSource(LoopbackNetwork.Guard).Token;

    private static Task<DhtNode> StartAsync(int appInboxCapacity = 256) => DhtNode.StartAsync(new DhtNodeOptions
    {
        Network = NetworkParameters.Test,
        Bind = new IPEndPoint(IPAddress.Loopback, 0),
        AppInboxCapacity = appInboxCapacity,
    });

    /// <summary>
    /// A receiver whose reception has started: the first MoveNextAsync of <see cref="DhtNode.ReceiveAsync"/>
    /// posts the channel's registration to the node's loop, and a statistics call posted after it returns
    /// once the loop has run it, so nothing sent afterwards can find the channel closed. Later reads happen
    /// only when asked for, so a test can leave messages in the queue.
    /// </summary>
    private sealed class Receiving : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new(LoopbackNetwork.Guard);
        private readonly IAsyncEnumerator<AppMessage> _messages;
        private ValueTask<bool>? _pending;

        private Receiving(DhtNode node, string channel)
        {
            _messages = node.ReceiveAsync(channel, _stop.Token).GetAsyncEnumerator();
            _pending = _messages.MoveNextAsync();
        }

        public static async Task<Receiving> StartAsync(DhtNode node, string channel)
        {
            var receiving = new Receiving(node, channel);
            await node.GetStatisticsAsync(Guard());
            return receiving;
        }

        public async Task<AppMessage> NextAsync()
        {
            var next = _pending ?? _messages.MoveNextAsync();
            _pending = null;
            Assert.True(await next);
            return _messages.Current;
        }

        /// <summary>Ends the reception as a caller does, by cancelling it; the channel is closed when this returns.</summary>
        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_pending is { } pending)
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask());
            }

            await _messages.DisposeAsync();
            _stop.Dispose();
        }
    }
}
