using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Kademlia.Workloads;

/// <summary>
/// The baseline of <see cref="PingWorkload"/>: a synchronous echo loop on one loopback socket and a
/// synchronous client on another that keeps a window of datagrams in flight. No encryption, no
/// parsing, no queues: what the kernel's loopback path and two threads can do on this machine.
/// </summary>
public static class RawUdpEcho
{
    /// <summary>A wait this long for any answer means the datagrams in flight were lost; the window is refilled.</summary>
    private const int LossTimeoutMs = 50;

    /// <summary>Keeps <paramref name="window"/> datagrams of <paramref name="size"/> bytes in flight for <paramref name="duration"/>.</summary>
    /// <exception cref="SocketException">A loopback socket cannot be bound.</exception>
    public static ThroughputReport Measure(int size, int window, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, sizeof(long));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 1280);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        using var server = Bind();
        using var client = Bind();
        client.ReceiveTimeout = LossTimeoutMs;
        client.Connect(server.LocalEndPoint!);
        var stop = 0;
        var echo = new Thread(() => Echo(server, ref stop)) { IsBackground = true, Name = "kad-bench echo" };
        echo.Start();
        try
        {
            return Drive(client, size, window, duration, cancellationToken);
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            echo.Join();
        }
    }

    private static Socket Bind()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
        {
            ReceiveBufferSize = 4 * 1024 * 1024,
            SendBufferSize = 4 * 1024 * 1024,
        };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static void Echo(Socket server, ref int stop)
    {
        server.ReceiveTimeout = LossTimeoutMs;
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (Volatile.Read(ref stop) == 0)
        {
            try
            {
                var received = server.ReceiveFrom(buffer, ref from);
                server.SendTo(buffer.AsSpan(0, received), SocketFlags.None, from);
            }
            catch (SocketException)
            {
                // A receive timeout, so that the stop flag is seen; nothing is lost by it.
            }
        }
    }

    private static ThroughputReport Drive(Socket client, int size, int window, TimeSpan duration, CancellationToken cancellationToken)
    {
        var packet = new byte[size];
        var answer = new byte[2048];
        var latencies = new List<double>();
        long completed = 0;
        long failed = 0;
        var inFlight = 0;
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
        {
            while (inFlight < window)
            {
                BinaryPrimitives.WriteInt64LittleEndian(packet, Stopwatch.GetTimestamp());
                client.Send(packet);
                inFlight++;
            }

            int received;
            try
            {
                received = client.Receive(answer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                failed += inFlight;
                inFlight = 0;
                continue;
            }

            inFlight--;
            if (received >= sizeof(long))
            {
                latencies.Add(Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(answer)).TotalMilliseconds);
                completed++;
            }
        }

        return new ThroughputReport(completed, failed, Stopwatch.GetElapsedTime(started).TotalSeconds, Distribution.Of(latencies));
    }
}
