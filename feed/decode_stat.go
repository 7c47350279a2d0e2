package feed

import "bytes"

// Decoding stats objects, the bulk of a feed.

// stats decodes the stats array the way encoding/json fills a slice.
func (d *decoder) stats(dst *[]Stat) {
	if *dst == nil && d.peek() == '[' {
		if n := statsCap(d.data[d.pos:]); d.reuse {
			*dst = statsPool.take(n) // a power-of-two class, reused
		} else {
			*dst = make([]Stat, 0, n)
		}
	}
	s, more := openSlice(d, dst, "[]Stat")
	for more {
		s = nextElem(s)
		d.stat(&s[len(s)-1])
		more = d.moreInArray()
	}
	if s != nil {
		*dst = s
	}
}

// statsCap guesses how many objects the stats array at the start of rest
// holds, so that the slice is allocated once and no bigger than needed
// (a Stat is about 800 bytes; allocating and clearing them is a good part
// of decoding): the opening braces in the rest of the frame, less those
// of objects nested in a field. Stats come last in a frame; a guess too
// small only costs an append.
func statsCap(rest []byte) int {
	n := 0
	for i := 0; n < 64; i++ {
		j := bytes.IndexByte(rest[i:], '{')
		if j < 0 {
			break
		}
		if i += j; rest[i-1] != ':' { // rest starts with '[': i > 0
			n++
		}
	}
	return max(n, 1)
}

// stat decodes one stats object (or null) into s. It is the decoder's
// innermost loop, written out: a plain key (the usual one) is found a
// word at a time and handed to statField, which proves it plain by
// matching a field name (letters only); any other key is read again the
// long way.
func (d *decoder) stat(s *Stat) {
	if !d.structStart("Stat") {
		return
	}
	for {
		done := false
		data, i := d.data, d.pos
		if i < len(data) && data[i] == '"' {
			if j := quoteAt(data, i+1); j+1 < len(data) && data[j+1] == ':' {
				d.pos = j + 2
				if j+2 < len(data) && data[j+2] <= ' ' {
					d.ws()
				}
				d.key = [2]int{i + 1, j} // ints: no write barrier, unlike a slice
				if done = d.statField(data[i+1:j], s); !done {
					d.pos = i
				}
			}
		}
		if !done {
			key := d.objectKey()
			if d.err != nil {
				return
			}
			if !d.statField(key, s) {
				d.unknownField(key, statKeys)
			}
		}
		if p := d.pos; p+1 < len(data) && data[p] == ',' && data[p+1] > ' ' && d.err == nil {
			d.pos = p + 1 // the compact form
			continue
		}
		if !d.moreInObject() {
			return
		}
	}
}

// statField and statKeys follow the Stat struct in protocol.go field by
// field; keep them in step (TestFastDecodeMatchesEncodingJSON fails when
// a field is missing here). A Go switch on a string compiles to a jump on
// the length and a few word comparisons: as fast as a hash table here.

// statField decodes the value of key into s. It reports false for a key
// Stat does not declare.
func (d *decoder) statField(key []byte, s *Stat) bool {
	switch string(key) {
	case "id":
		d.str(&s.ID)
	case "type":
		d.str(&s.Type)
	case "timestamp":
		d.float(&s.Timestamp)
	case "ssrc":
		d.int64(&s.SSRC)
	case "kind":
		d.str(&s.Kind)
	case "mediaType":
		d.str(&s.MediaType)
	case "transportId":
		d.str(&s.TransportID)
	case "codecId":
		d.str(&s.CodecID)
	case "localId":
		d.str(&s.LocalID)
	case "remoteId":
		d.str(&s.RemoteID)
	case "mid":
		d.str(&s.Mid)
	case "bytesReceived":
		d.float(&s.BytesReceived)
	case "bytesSent":
		d.float(&s.BytesSent)
	case "packetsReceived":
		d.float(&s.PacketsReceived)
	case "packetsSent":
		d.float(&s.PacketsSent)
	case "packetsLost":
		d.float(&s.PacketsLost)
	case "jitter":
		d.float(&s.Jitter)
	case "roundTripTime":
		d.float(&s.RoundTripTime)
	case "fractionLost":
		d.float(&s.FractionLost)
	case "jitterBufferDelay":
		d.float(&s.JitterBufferDelay)
	case "jitterBufferTargetDelay":
		d.float(&s.JitterBufferTargetDelay)
	case "jitterBufferEmittedCount":
		d.float(&s.JitterBufferEmittedCount)
	case "concealedSamples":
		d.float(&s.ConcealedSamples)
	case "silentConcealedSamples":
		d.float(&s.SilentConcealedSamples)
	case "totalSamplesReceived":
		d.float(&s.TotalSamplesReceived)
	case "insertedSamplesForDeceleration":
		d.float(&s.InsertedSamplesForDeceleration)
	case "removedSamplesForAcceleration":
		d.float(&s.RemovedSamplesForAcceleration)
	case "framesReceived":
		d.float(&s.FramesReceived)
	case "framesDecoded":
		d.float(&s.FramesDecoded)
	case "framesDropped":
		d.float(&s.FramesDropped)
	case "framesSent":
		d.float(&s.FramesSent)
	case "framesEncoded":
		d.float(&s.FramesEncoded)
	case "framesPerSecond":
		d.float(&s.FramesPerSecond)
	case "frameWidth":
		d.float(&s.FrameWidth)
	case "frameHeight":
		d.float(&s.FrameHeight)
	case "freezeCount":
		d.float(&s.FreezeCount)
	case "totalFreezesDuration":
		d.float(&s.TotalFreezesDuration)
	case "pauseCount":
		d.float(&s.PauseCount)
	case "totalPausesDuration":
		d.float(&s.TotalPausesDuration)
	case "nackCount":
		d.float(&s.NackCount)
	case "pliCount":
		d.float(&s.PliCount)
	case "firCount":
		d.float(&s.FirCount)
	case "keyFramesDecoded":
		d.float(&s.KeyFramesDecoded)
	case "targetBitrate":
		d.float(&s.TargetBitrate)
	case "qualityLimitationReason":
		d.str(&s.QualityLimitationReason)
	case "qualityLimitationDurations":
		d.floatMap(&s.QualityLimitationDurations)
	case "retransmittedBytesSent":
		d.float(&s.RetransmittedBytesSent)
	case "trackIdentifier":
		d.str(&s.TrackIdentifier)
	case "audioLevel":
		d.float(&s.AudioLevel)
	case "totalAudioEnergy":
		d.float(&s.TotalAudioEnergy)
	case "totalSamplesDuration":
		d.float(&s.TotalSamplesDuration)
	case "state":
		d.str(&s.State)
	case "nominated":
		d.boolean(&s.Nominated)
	case "selected":
		d.boolean(&s.Selected)
	case "localCandidateId":
		d.str(&s.LocalCandidateID)
	case "remoteCandidateId":
		d.str(&s.RemoteCandidateID)
	case "currentRoundTripTime":
		d.float(&s.CurrentRoundTripTime)
	case "totalRoundTripTime":
		d.float(&s.TotalRoundTripTime)
	case "responsesReceived":
		d.float(&s.ResponsesReceived)
	case "availableOutgoingBitrate":
		d.float(&s.AvailableOutgoingBitrate)
	case "availableIncomingBitrate":
		d.float(&s.AvailableIncomingBitrate)
	case "selectedCandidatePairId":
		d.str(&s.SelectedCandidatePairID)
	case "iceState":
		d.str(&s.ICEState)
	case "dtlsState":
		d.str(&s.DTLSState)
	case "selectedCandidatePairChanges":
		d.float(&s.SelectedCandidatePairChanges)
	case "candidateType":
		d.str(&s.CandidateType)
	case "relayProtocol":
		d.str(&s.RelayProtocol)
	case "protocol":
		d.str(&s.Protocol)
	case "address":
		d.str(&s.Address)
	case "ip":
		d.str(&s.IP)
	case "port":
		d.float(&s.Port)
	case "networkType":
		d.str(&s.NetworkType)
	case "url":
		d.str(&s.URL)
	case "mimeType":
		d.str(&s.MimeType)
	case "clockRate":
		d.float(&s.ClockRate)
	default:
		return false
	}
	return true
}

// statKeys are Stat's JSON names in lower case, to spot a key that only
// differs in case (encoding/json would accept it).
var statKeys = map[string]bool{
	"id":                             true,
	"type":                           true,
	"timestamp":                      true,
	"ssrc":                           true,
	"kind":                           true,
	"mediatype":                      true,
	"transportid":                    true,
	"codecid":                        true,
	"localid":                        true,
	"remoteid":                       true,
	"mid":                            true,
	"bytesreceived":                  true,
	"bytessent":                      true,
	"packetsreceived":                true,
	"packetssent":                    true,
	"packetslost":                    true,
	"jitter":                         true,
	"roundtriptime":                  true,
	"fractionlost":                   true,
	"jitterbufferdelay":              true,
	"jitterbuffertargetdelay":        true,
	"jitterbufferemittedcount":       true,
	"concealedsamples":               true,
	"silentconcealedsamples":         true,
	"totalsamplesreceived":           true,
	"insertedsamplesfordeceleration": true,
	"removedsamplesforacceleration":  true,
	"framesreceived":                 true,
	"framesdecoded":                  true,
	"framesdropped":                  true,
	"framessent":                     true,
	"framesencoded":                  true,
	"framespersecond":                true,
	"framewidth":                     true,
	"frameheight":                    true,
	"freezecount":                    true,
	"totalfreezesduration":           true,
	"pausecount":                     true,
	"totalpausesduration":            true,
	"nackcount":                      true,
	"plicount":                       true,
	"fircount":                       true,
	"keyframesdecoded":               true,
	"targetbitrate":                  true,
	"qualitylimitationreason":        true,
	"qualitylimitationdurations":     true,
	"retransmittedbytessent":         true,
	"trackidentifier":                true,
	"audiolevel":                     true,
	"totalaudioenergy":               true,
	"totalsamplesduration":           true,
	"state":                          true,
	"nominated":                      true,
	"selected":                       true,
	"localcandidateid":               true,
	"remotecandidateid":              true,
	"currentroundtriptime":           true,
	"totalroundtriptime":             true,
	"responsesreceived":              true,
	"availableoutgoingbitrate":       true,
	"availableincomingbitrate":       true,
	"selectedcandidatepairid":        true,
	"icestate":                       true,
	"dtlsstate":                      true,
	"selectedcandidatepairchanges":   true,
	"candidatetype":                  true,
	"relayprotocol":                  true,
	"protocol":                       true,
	"address":                        true,
	"ip":                             true,
	"port":                           true,
	"networktype":                    true,
	"url":                            true,
	"mimetype":                       true,
	"clockrate":                      true,
}
