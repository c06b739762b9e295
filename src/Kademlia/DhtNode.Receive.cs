using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Kademlia.Internal;

namespace Kademlia;

/// <summary>The receiving half of the runtime: where datagrams come in, and which are handled at once.</summary>
public sealed partial class DhtNode
{
    /// <summary>The name of a node's dedicated receive thread (what a profiler or debugger shows).</summary>
    internal const string ReceiveThreadName = "kad receive";

    /// <summary>Datagrams read synchronously after one asynchronous receive, at most, before yielding the thread.</summary>
    private const int MaxDrainedPerReceive = 64;

    /// <summary>Nodes of this process that run a dedicated receive thread now.</summary>
    private static int s_dedicatedReceivers;

    /// <summary>Whether this node runs a dedicated receive thread (else it receives on the thread pool).</summary>
    internal bool HasDedicatedReceiveThread { get; private set; }

    /// <summary>
    /// Starts receiving as <paramref name="threading"/> says. <see cref="ReceiveThreading.Auto"/> gives a node a
    /// thread of its own while the process has fewer such nodes than logical processors; more threads than
    /// cores would only take turns, and a process of many nodes (a test, a benchmark) receives faster on the
    /// pool, whose one epoll thread takes the events of many sockets at once.
    /// </summary>
    private Task StartReceiving(ReceiveThreading threading)
    {
        if (threading == ReceiveThreading.ThreadPool)
        {
            return Task.Run(ReceiveOnThreadPoolAsync);
        }

        // Every dedicated thread holds a slot, whatever asked for it; Auto takes one only while they last.
        if (Interlocked.Increment(ref s_dedicatedReceivers) > Environment.ProcessorCount && threading == ReceiveThreading.Auto)
        {
            Interlocked.Decrement(ref s_dedicatedReceivers);
            return Task.Run(ReceiveOnThreadPoolAsync);
        }

        HasDedicatedReceiveThread = true;
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                ReceiveOnDedicatedThread();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Fault(e); // the node stops and says why (Completion), rather than the process
            }
            finally
            {
                Interlocked.Decrement(ref s_dedicatedReceivers);
                ended.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = ReceiveThreadName,
        };
        try
        {
            thread.Start();
        }
        catch (OutOfMemoryException)
        {
            // The system would not give another thread (its limit, or memory for a stack): the pool receives.
            Interlocked.Decrement(ref s_dedicatedReceivers);
            HasDedicatedReceiveThread = false;
            return Task.Run(ReceiveOnThreadPoolAsync);
        }

        return ended.Task;
    }

    /// <summary>
    /// Receiving on the thread pool: an asynchronous receive, then every datagram already waiting, up to
    /// <see cref="MaxDrainedPerReceive"/>, synchronously, each handled where it is (<see cref="Receive"/>); so
    /// one completion of the socket serves a batch under load, and many nodes in one process share a few
    /// threads.
    /// </summary>
    private async Task ReceiveOnThreadPoolAsync()
    {
        var buffer = new byte[2048];
        var any = UdpReceive.AnySender(_socket);
        var failed = (SocketError error) => Log.ReceiveFailed(_logger, error.ToString());
        while (await UdpReceive.NextAsync(_socket, buffer, any, failed, _stopping.Token).ConfigureAwait(false) is var (length, from))
        {
            if (!Receive(from, buffer.AsSpan(0, length)) || !DrainWaiting(buffer, any))
            {
                return; // the loop has stopped (disposed or faulted)
            }
        }
    }

    /// <summary>Takes every datagram already waiting in the socket, up to <see cref="MaxDrainedPerReceive"/>, synchronously.</summary>
    /// <returns>False once the loop has stopped.</returns>
    private bool DrainWaiting(byte[] buffer, EndPoint any)
    {
        for (var taken = 0; taken < MaxDrainedPerReceive && !_stopping.IsCancellationRequested; taken++)
        {
            int length;
            var from = any;
            try
            {
                if (_socket.Available == 0)
                {
                    return true;
                }

                length = _socket.ReceiveFrom(buffer, SocketFlags.None, ref from);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
            catch (SocketException e)
            {
                Log.ReceiveFailed(_logger, e.SocketErrorCode.ToString());
                return true;
            }

            if (!Receive((IPEndPoint)from, buffer.AsSpan(0, length)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The node's own receive thread: one blocking receive per datagram, so no epoll dispatch and no
    /// thread-pool hop stand between the socket and the engine, each handled where it is (<see cref="Receive"/>).
    /// </summary>
    private void ReceiveOnDedicatedThread()
    {
        var buffer = new byte[2048];
        var address = new SocketAddress(_socket.AddressFamily);
        var senders = new SenderCache(_socket.AddressFamily);
        while (!_stopping.IsCancellationRequested)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, address);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (_stopping.IsCancellationRequested)
            {
                return; // disposal interrupted the receive
            }
            catch (SocketException e)
            {
                // ICMP errors from earlier sends surface here on some platforms; the socket still works.
                Log.ReceiveFailed(_logger, e.SocketErrorCode.ToString());
                continue;
            }

            if (!Receive(senders.Get(address), buffer.AsSpan(0, length)))
            {
                return; // the loop has stopped (disposed or faulted)
            }
        }
    }

    /// <summary>One received datagram: handled here if it comes from a known peer and the engine is free, else queued.</summary>
    /// <returns>False once the loop has stopped.</returns>
    private bool Receive(IPEndPoint from, ReadOnlySpan<byte> datagram)
    {
        if (from.Address.IsIPv4MappedToIPv6)
        {
            from = new IPEndPoint(from.Address.MapToIPv4(), from.Port);
        }

        // Two lanes: peers we have sent to recently may fill the whole queue; strangers (first
        // contacts, or a flood of junk) share a small part of it, so a flood delays an honest
        // peer's packet by at most that many and never pushes it out. A stranger's datagram is never
        // handled on this thread, so a flood of them costs the engine no more than its lane holds.
        var known = _talkedTo.Contains(from);
        if (known && TryRunHere(from, datagram, ping: null))
        {
            return _fault is null;
        }

        return Enqueue(from, datagram, known);
    }

    /// <summary>Queues a copy of one received datagram for the loop (in a pooled buffer), or drops it when its lane is full.</summary>
    /// <returns>False once the loop has stopped.</returns>
    private bool Enqueue(IPEndPoint from, ReadOnlySpan<byte> datagram, bool known)
    {
        // Within the strangers' lane each source gets a fair share (StrangerLane), so one socket
        // of junk cannot crowd out newcomers' first packets.
        var source = NodeEndpoint.FromIPEndPoint(from).Host;
        ref var overload = ref known ? ref _knownOverload : ref _strangerOverload;
        int queued, capacity;
        bool admitted;
        if (known)
        {
            (queued, capacity) = (Interlocked.Increment(ref _queuedDatagrams), _maxQueuedDatagrams);
            admitted = queued <= capacity;
            if (!admitted)
            {
                Interlocked.Decrement(ref _queuedDatagrams);
            }
        }
        else
        {
            admitted = _strangers.TryEnter(source, out queued);
            capacity = _strangers.Capacity;
        }

        if (!admitted)
        {
            Interlocked.Increment(ref _inboxDrops);
            if (overload.Refused())
            {
                Log.InboxFull(_logger, known ? "known peers" : "strangers", from);
            }

            return true;
        }

        overload.Accepted(queued, capacity);
        var bytes = ArrayPool<byte>.Shared.Rent(datagram.Length);
        datagram.CopyTo(bytes);
        var queuedDatagram = new Datagram(from, bytes, datagram.Length, known ? null : source);
        if (!_inbox.Writer.TryWrite(queuedDatagram))
        {
            Leave(queuedDatagram);
            ArrayPool<byte>.Shared.Return(bytes);
            return false;
        }

        return true;
    }
}
