using System.Runtime.InteropServices;
using Kademlia.Identity;
using Kademlia.Mainline.Internal;
using Kademlia.Routing;

namespace Kademlia.Mainline;

public sealed partial class MainlineEngine
{
    /// <summary>Handles one datagram from <paramref name="from"/>. Never throws on its content: anything malformed is dropped and counted.</summary>
    public void Receive(ReadOnlySpan<byte> datagram, NodeEndpoint from, DateTimeOffset now)
    {
        Statistics.DatagramsReceived++;
        var error = KrpcCodec.TryRead(datagram, out var message, out var transactionId);
        if (error != KrpcDecodeError.None || message is null)
        {
            Statistics.Malformed++;
            if (error == KrpcDecodeError.UnknownMethod && transactionId is not null && !_options.ReadOnly && _rateLimit.TryTake(from.Host, now))
            {
                Send(from, new KrpcMessage(transactionId, new KrpcError(KrpcErrorCode.MethodUnknown, "Method Unknown")));
            }

            return;
        }

        switch (message.Body)
        {
            case KrpcQuery query:
                OnQuery(message, query, from, now);
                break;
            case KrpcResponse response:
                OnResponse(message, response, from, now);
                break;
            case KrpcError failure:
                OnError(message, failure, from, now);
                break;
        }
    }

    private void OnQuery(KrpcMessage message, KrpcQuery query, NodeEndpoint from, DateTimeOffset now)
    {
        if (_options.ReadOnly)
        {
            Statistics.IgnoredWhileReadOnly++;
            return;
        }

        if (query.Id == Id || !_rateLimit.TryTake(from.Host, now))
        {
            Statistics.RateLimited += query.Id == Id ? 0 : 1;
            return;
        }

        KrpcBody answer = query switch
        {
            PingQuery => new KrpcResponse(Id),
            FindNodeQuery find => WithNodes(new KrpcResponse(Id), find.Target, find.Want, from),
            GetPeersQuery getPeers => AnswerGetPeers(getPeers, from, now),
            AnnouncePeerQuery announce => AnswerAnnounce(announce, from, now),
            GetItemQuery get => AnswerGet(get, from, now),
            PutItemQuery put => AnswerPut(put, from, now),
            _ => new KrpcError(KrpcErrorCode.MethodUnknown, "Method Unknown"),
        };
        Send(from, new KrpcMessage(message.TransactionId, answer) { ExternalEndpoint = from });
        Statistics.QueriesAnswered++;
        if (message.ReadOnly)
        {
            Statistics.ReadOnlyQueriers++;
            return;
        }

        ConsiderQuerier(query.Id, from, now);
    }

    private KrpcResponse WithNodes(KrpcResponse response, MainlineId target, KrpcWant want, NodeEndpoint from)
    {
        var families = want == KrpcWant.None ? (from.IsIPv4 ? KrpcWant.Nodes4 : KrpcWant.Nodes6) : want;
        if ((families & KrpcWant.Nodes4) != 0)
        {
            response = response with { Nodes = Closest(target, ipv6: false) };
        }

        if ((families & KrpcWant.Nodes6) != 0)
        {
            response = response with { Nodes6 = Closest(target, ipv6: true) };
        }

        return response;
    }

    private List<MainlineNode> Closest(MainlineId target, bool ipv6)
    {
        var nodes = new List<MainlineNode>(_options.K);
        foreach (var contact in _table.FindClosest(target.ToNodeId(), 4 * _options.K))
        {
            if (contact.Endpoint.IsIPv4 != ipv6)
            {
                nodes.Add(new MainlineNode(MainlineId.FromNodeId(contact.Id), contact.Endpoint));
                if (nodes.Count == _options.K) break;
            }
        }

        return nodes;
    }

    private KrpcResponse AnswerGetPeers(GetPeersQuery query, NodeEndpoint from, DateTimeOffset now)
    {
        var response = WithNodes(new KrpcResponse(Id) { Token = _tokens.Issue(now, from.ToIPAddress()) }, query.InfoHash, query.Want, from);
        var peers = _peers.Get(query.InfoHash, now, MaxPeersPerAnswer, ipv6: !from.IsIPv4);
        return peers.Count == 0 ? response : response with { Values = peers };
    }

    private KrpcBody AnswerAnnounce(AnnouncePeerQuery query, NodeEndpoint from, DateTimeOffset now)
    {
        if (!_tokens.Validate(now, from.ToIPAddress(), query.Token.Span))
        {
            return new KrpcError(KrpcErrorCode.Protocol, "invalid token");
        }

        var port = query.ImpliedPort ? from.Port : query.Port;
        if (port == 0)
        {
            return new KrpcError(KrpcErrorCode.Protocol, "invalid port");
        }

        _peers.Add(query.InfoHash, new NodeEndpoint(from.ToIPAddress(), port), now);
        return new KrpcResponse(Id);
    }

    private KrpcResponse AnswerGet(GetItemQuery query, NodeEndpoint from, DateTimeOffset now)
    {
        var response = WithNodes(new KrpcResponse(Id) { Token = _tokens.Issue(now, from.ToIPAddress()) }, query.Target, KrpcWant.None, from);
        switch (_items.Get(query.Target, now))
        {
            case ImmutableItem immutable:
                return response with { Value = immutable.Value };
            case MutableItem mutable when query.Sequence is { } known && mutable.Sequence <= known:
                // BEP 44: the asker has this one or a newer one; the value is left out.
                return response with { Sequence = mutable.Sequence };
            case MutableItem mutable:
                return response with
                {
                    Value = mutable.Value,
                    PublicKey = mutable.PublicKey,
                    Sequence = mutable.Sequence,
                    Signature = new BencodeString(mutable.Signature),
                };
            default:
                return response;
        }
    }

    private KrpcBody AnswerPut(PutItemQuery query, NodeEndpoint from, DateTimeOffset now)
    {
        if (!_tokens.Validate(now, from.ToIPAddress(), query.Token.Span))
        {
            return new KrpcError(KrpcErrorCode.Protocol, "invalid token");
        }

        var refused = MainlineItemRules.CheckPut(query.Item);
        if (refused is null && query.Item is MutableItem mutable)
        {
            refused = MainlineItemRules.CheckReplace(_items.Get(mutable.Target, now) as MutableItem, mutable, query.Cas);
        }

        if (refused is { } code)
        {
            return new KrpcError(code, ErrorMessage(code));
        }

        _items.Put(query.Item, now);
        return new KrpcResponse(Id);
    }

    private static string ErrorMessage(KrpcErrorCode code) => code switch
    {
        KrpcErrorCode.ValueTooBig => "message (v field) too big",
        KrpcErrorCode.InvalidSignature => "invalid signature",
        KrpcErrorCode.SaltTooBig => "salt (salt field) too big",
        KrpcErrorCode.CasMismatch => "the CAS hash mismatched, re-read value and try again",
        KrpcErrorCode.SequenceTooLow => "sequence number less than current",
        _ => "protocol error",
    };

    /// <summary>A node that queried us enters the table only after it answers a ping of ours at that address.</summary>
    private void ConsiderQuerier(MainlineId id, NodeEndpoint from, DateTimeOffset now)
    {
        var nodeId = id.ToNodeId();
        if (_table.Find(nodeId) is not null)
        {
            return;
        }

        if (_table.GetBucket(_table.BucketIndexOf(nodeId)) is { } bucket && bucket.Count >= _options.K)
        {
            return;
        }

        if (_verifying.Count < MaxVerifications && _verifying.Add(from))
        {
            SendQuery(from, nodeId, TransactionPurpose.Ping, null, new PingQuery(Id), now, now + _options.MaxRequestTimeout);
        }
    }

    private bool TryTakePending(BencodeString transactionId, NodeEndpoint from, out PendingTransaction pending)
    {
        pending = null!;
        if (transactionId.Length != 2)
        {
            return false;
        }

        var id = (ushort)((transactionId.Span[0] << 8) | transactionId.Span[1]);
        if (!_pending.TryGetValue(id, out var found) || found.To != from)
        {
            return false;
        }

        _pending.Remove(id);
        pending = found;
        return true;
    }

    private void OnResponse(KrpcMessage message, KrpcResponse response, NodeEndpoint from, DateTimeOffset now)
    {
        if (!TryTakePending(message.TransactionId, from, out var pending))
        {
            Statistics.Unmatched++;
            return;
        }

        var responder = response.Id.ToNodeId();
        var sameId = pending.ExpectedId is not { } expected || expected == responder;
        if (message.ExternalEndpoint is { } external)
        {
            Vote(from, external);
        }

        if (sameId && response.Id != Id)
        {
            Observe(response.Id, from, now - pending.SentAt, now);
        }

        if (pending.Purpose is TransactionPurpose.Ping or TransactionPurpose.Liveness)
        {
            _verifying.Remove(pending.To);
            _livenessChecks.Remove(responder);
        }

        var operation = pending.Operation;
        if (operation is null || !_operations.ContainsKey(operation.Id))
        {
            return;
        }

        operation.Responses++;
        switch (pending.Purpose)
        {
            case TransactionPurpose.Lookup when operation.Phase == OperationPhase.Lookup:
                if (!sameId)
                {
                    operation.Lookup!.OnFailure(pending.ExpectedId!.Value);
                }
                else
                {
                    Harvest(operation, response, responder);
                    if (operation.FirstFoundAt is null && (operation.Found is not null || operation.Peers.Count > 0))
                    {
                        operation.FirstFoundAt = now;
                    }

                    var nodes = Referrals(response);
                    operation.Lookup!.OnSuccess(responder, CollectionsMarshal.AsSpan(nodes), now);
                    if (operation.Kind == MainlineOperationKind.GetItem && operation.Found is ImmutableItem)
                    {
                        operation.Lookup.Stop();
                        OnLookupFinished(operation, now);
                        return;
                    }
                }

                Pump(operation, now);
                break;
            case TransactionPurpose.Probe when operation.Phase == OperationPhase.Probe:
                if (response.Id != Id)
                {
                    operation.Seeds.Add(NodeInfo.WithAssignedId(responder, from));
                }

                operation.Seeds.AddRange(Referrals(response));
                EndProbe(operation, now);
                break;
            case TransactionPurpose.Store:
                operation.Stored++;
                EndStore(operation, now);
                break;
            case TransactionPurpose.Ping:
                operation.Answered.Add(new MainlineNode(response.Id, from));
                EndStore(operation, now);
                break;
        }
    }

    private void OnError(KrpcMessage message, KrpcError error, NodeEndpoint from, DateTimeOffset now)
    {
        if (!TryTakePending(message.TransactionId, from, out var pending))
        {
            Statistics.Unmatched++;
            return;
        }

        if (pending.Purpose is TransactionPurpose.Ping or TransactionPurpose.Liveness)
        {
            _verifying.Remove(pending.To);
        }

        var operation = pending.Operation;
        if (operation is null || !_operations.ContainsKey(operation.Id))
        {
            return;
        }

        operation.Responses++;
        switch (pending.Purpose)
        {
            case TransactionPurpose.Lookup when operation.Phase == OperationPhase.Lookup:
                operation.Lookup!.OnFailure(pending.ExpectedId!.Value);
                Pump(operation, now);
                break;
            case TransactionPurpose.Probe when operation.Phase == OperationPhase.Probe:
                EndProbe(operation, now);
                break;
            case TransactionPurpose.Store:
                operation.Errors.Add(error);
                EndStore(operation, now);
                break;
            case TransactionPurpose.Ping:
                EndStore(operation, now);
                break;
        }
    }

    private void OnExpired(PendingTransaction pending, DateTimeOffset now)
    {
        if (pending.ExpectedId is { } id)
        {
            if (pending.Purpose == TransactionPurpose.Liveness)
            {
                _livenessChecks.Remove(id);
                _table.LivenessCheckFailed(id, now);
            }
            else
            {
                _table.RecordFailure(id, now);
            }
        }

        if (pending.Purpose == TransactionPurpose.Ping)
        {
            _verifying.Remove(pending.To);
        }

        var operation = pending.Operation;
        if (operation is null || !_operations.ContainsKey(operation.Id))
        {
            return;
        }

        switch (pending.Purpose)
        {
            case TransactionPurpose.Lookup when operation.Phase == OperationPhase.Lookup:
                // The lookup timed the query out on its own deadline already; this only frees the transaction.
                operation.Lookup!.OnFailure(pending.ExpectedId!.Value);
                Pump(operation, now);
                break;
            case TransactionPurpose.Probe when operation.Phase == OperationPhase.Probe:
                EndProbe(operation, now);
                break;
            case TransactionPurpose.Store or TransactionPurpose.Ping:
                EndStore(operation, now);
                break;
        }
    }

    private void EndProbe(MainlineOperation operation, DateTimeOffset now)
    {
        if (--operation.Outstanding == 0)
        {
            StartLookup(operation, now);
        }
    }

    private void EndStore(MainlineOperation operation, DateTimeOffset now)
    {
        if (--operation.Outstanding <= 0)
        {
            Complete(operation, now);
        }
    }

    /// <summary>What a lookup's answer says about the operation's target: a token, peers, an item.</summary>
    private void Harvest(MainlineOperation operation, KrpcResponse response, NodeId responder)
    {
        if (response.Token is { Length: > 0 } token)
        {
            operation.Tokens[responder] = token;
        }

        if (response.Values is { } values && operation.Kind is MainlineOperationKind.GetPeers or MainlineOperationKind.Announce)
        {
            foreach (var peer in values)
            {
                if (!peer.IsUnspecified) operation.Peers.Add(peer);
            }
        }

        if (operation.Kind == MainlineOperationKind.GetItem && response.GetVerifiedItem(operation.Target, operation.Salt.Span) is { } item)
        {
            if (operation.Found is not MutableItem best || (item is MutableItem mutable && mutable.Sequence > best.Sequence))
            {
                operation.Found = item;
            }
        }
    }

    private List<NodeInfo> Referrals(KrpcResponse response)
    {
        var nodes = new List<NodeInfo>();
        if ((_options.AddressFamilies & KrpcWant.Nodes4) != 0 && response.Nodes is { } nodes4)
        {
            AddReferrals(nodes, nodes4);
        }

        if ((_options.AddressFamilies & KrpcWant.Nodes6) != 0 && response.Nodes6 is { } nodes6)
        {
            AddReferrals(nodes, nodes6);
        }

        return nodes;
    }

    private void AddReferrals(List<NodeInfo> nodes, IReadOnlyList<MainlineNode> referred)
    {
        foreach (var node in referred)
        {
            if (node.Id != Id && !node.Endpoint.IsUnspecified)
            {
                nodes.Add(NodeInfo.WithAssignedId(node.Id.ToNodeId(), node.Endpoint));
            }
        }
    }

    /// <summary>Offers a node that just answered us at <paramref name="from"/> to the table.</summary>
    private void Observe(MainlineId id, NodeEndpoint from, TimeSpan rtt, DateTimeOffset now)
    {
        if (_options.EnforceNodeIds && !NodeIdSecurity.IsValid(id, from.ToIPAddress()))
        {
            Statistics.NodeIdsRefused++;
            return;
        }

        var info = NodeInfo.WithAssignedId(id.ToNodeId(), from);
        var update = _table.Observe(info, now);
        switch (update.Kind)
        {
            case RoutingUpdateKind.Added or RoutingUpdateKind.Updated:
                _table.RecordSuccess(info.Id, rtt, now);
                break;
            case RoutingUpdateKind.Pending when update.PingCandidate is { } oldest && _livenessChecks.Add(oldest.Id):
                SendQuery(oldest.Endpoint, oldest.Id, TransactionPurpose.Liveness, null, new PingQuery(Id), now, now + _options.MaxRequestTimeout);
                break;
        }
    }

    /// <summary>
    /// BEP 42: counts the address an answering node saw us at. Once enough agree, and unless an ID was
    /// configured, our ID is replaced (once) by one derived from that address, and the table is rebuilt around it.
    /// </summary>
    private void Vote(NodeEndpoint voter, NodeEndpoint reported)
    {
        if (_addressDecided || _vote.Add(voter, reported) is not { } address)
        {
            return;
        }

        _addressDecided = true;
        ExternalAddress = address;
        if (_options.Id is not null || NodeIdSecurity.IsValid(Id, address))
        {
            return;
        }

        Id = NodeIdSecurity.Generate(address, _random);
        var old = _table;
        _table = new RoutingTable(Id.ToNodeId(), _network);
        foreach (var contact in old.Contacts)
        {
            _table.Observe(contact.ToNodeInfo(), contact.LastSeen);
        }
    }
}
