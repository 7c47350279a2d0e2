package feed

import "strconv"

// Written from the Stat struct in protocol.go, one line per field in its
// order; keep in step with it (TestAppendMessageMatchesEncodingJSON fails
// when a field is missing).

// appendStat appends s as encoding/json would.
func appendStat(b []byte, s *Stat) ([]byte, error) {
	b = appendString(append(b, `{"id":`...), s.ID)
	b = appendString(append(b, `,"type":`...), s.Type)
	var err error
	b = appendFloatField(b, &err, `,"timestamp":`, s.Timestamp)
	b = appendIntField(b, `,"ssrc":`, s.SSRC)
	b = appendStringField(b, `,"kind":`, s.Kind)
	b = appendStringField(b, `,"mediaType":`, s.MediaType)
	b = appendStringField(b, `,"transportId":`, s.TransportID)
	b = appendStringField(b, `,"codecId":`, s.CodecID)
	b = appendStringField(b, `,"localId":`, s.LocalID)
	b = appendStringField(b, `,"remoteId":`, s.RemoteID)
	b = appendStringField(b, `,"mid":`, s.Mid)
	b = appendFloatField(b, &err, `,"bytesReceived":`, s.BytesReceived)
	b = appendFloatField(b, &err, `,"bytesSent":`, s.BytesSent)
	b = appendFloatField(b, &err, `,"packetsReceived":`, s.PacketsReceived)
	b = appendFloatField(b, &err, `,"packetsSent":`, s.PacketsSent)
	b = appendFloatField(b, &err, `,"packetsLost":`, s.PacketsLost)
	b = appendFloatField(b, &err, `,"jitter":`, s.Jitter)
	b = appendFloatField(b, &err, `,"roundTripTime":`, s.RoundTripTime)
	b = appendFloatField(b, &err, `,"fractionLost":`, s.FractionLost)
	b = appendFloatField(b, &err, `,"jitterBufferDelay":`, s.JitterBufferDelay)
	b = appendFloatField(b, &err, `,"jitterBufferTargetDelay":`, s.JitterBufferTargetDelay)
	b = appendFloatField(b, &err, `,"jitterBufferEmittedCount":`, s.JitterBufferEmittedCount)
	b = appendFloatField(b, &err, `,"concealedSamples":`, s.ConcealedSamples)
	b = appendFloatField(b, &err, `,"silentConcealedSamples":`, s.SilentConcealedSamples)
	b = appendFloatField(b, &err, `,"totalSamplesReceived":`, s.TotalSamplesReceived)
	b = appendFloatField(b, &err, `,"insertedSamplesForDeceleration":`, s.InsertedSamplesForDeceleration)
	b = appendFloatField(b, &err, `,"removedSamplesForAcceleration":`, s.RemovedSamplesForAcceleration)
	b = appendFloatField(b, &err, `,"framesReceived":`, s.FramesReceived)
	b = appendFloatField(b, &err, `,"framesDecoded":`, s.FramesDecoded)
	b = appendFloatField(b, &err, `,"framesDropped":`, s.FramesDropped)
	b = appendFloatField(b, &err, `,"framesSent":`, s.FramesSent)
	b = appendFloatField(b, &err, `,"framesEncoded":`, s.FramesEncoded)
	b = appendFloatField(b, &err, `,"framesPerSecond":`, s.FramesPerSecond)
	b = appendFloatField(b, &err, `,"frameWidth":`, s.FrameWidth)
	b = appendFloatField(b, &err, `,"frameHeight":`, s.FrameHeight)
	b = appendFloatField(b, &err, `,"freezeCount":`, s.FreezeCount)
	b = appendFloatField(b, &err, `,"totalFreezesDuration":`, s.TotalFreezesDuration)
	b = appendFloatField(b, &err, `,"pauseCount":`, s.PauseCount)
	b = appendFloatField(b, &err, `,"totalPausesDuration":`, s.TotalPausesDuration)
	b = appendFloatField(b, &err, `,"nackCount":`, s.NackCount)
	b = appendFloatField(b, &err, `,"pliCount":`, s.PliCount)
	b = appendFloatField(b, &err, `,"firCount":`, s.FirCount)
	b = appendFloatField(b, &err, `,"keyFramesDecoded":`, s.KeyFramesDecoded)
	b = appendFloatField(b, &err, `,"targetBitrate":`, s.TargetBitrate)
	b = appendStringField(b, `,"qualityLimitationReason":`, s.QualityLimitationReason)
	b = appendMapField(b, &err, `,"qualityLimitationDurations":`, s.QualityLimitationDurations)
	b = appendFloatField(b, &err, `,"retransmittedBytesSent":`, s.RetransmittedBytesSent)
	b = appendStringField(b, `,"trackIdentifier":`, s.TrackIdentifier)
	b = appendFloatField(b, &err, `,"audioLevel":`, s.AudioLevel)
	b = appendFloatField(b, &err, `,"totalAudioEnergy":`, s.TotalAudioEnergy)
	b = appendFloatField(b, &err, `,"totalSamplesDuration":`, s.TotalSamplesDuration)
	b = appendStringField(b, `,"state":`, s.State)
	b = appendTrueField(b, `,"nominated":`, s.Nominated)
	b = appendTrueField(b, `,"selected":`, s.Selected)
	b = appendStringField(b, `,"localCandidateId":`, s.LocalCandidateID)
	b = appendStringField(b, `,"remoteCandidateId":`, s.RemoteCandidateID)
	b = appendFloatField(b, &err, `,"currentRoundTripTime":`, s.CurrentRoundTripTime)
	b = appendFloatField(b, &err, `,"totalRoundTripTime":`, s.TotalRoundTripTime)
	b = appendFloatField(b, &err, `,"responsesReceived":`, s.ResponsesReceived)
	b = appendFloatField(b, &err, `,"availableOutgoingBitrate":`, s.AvailableOutgoingBitrate)
	b = appendFloatField(b, &err, `,"availableIncomingBitrate":`, s.AvailableIncomingBitrate)
	b = appendStringField(b, `,"selectedCandidatePairId":`, s.SelectedCandidatePairID)
	b = appendStringField(b, `,"iceState":`, s.ICEState)
	b = appendStringField(b, `,"dtlsState":`, s.DTLSState)
	b = appendFloatField(b, &err, `,"selectedCandidatePairChanges":`, s.SelectedCandidatePairChanges)
	b = appendStringField(b, `,"candidateType":`, s.CandidateType)
	b = appendStringField(b, `,"relayProtocol":`, s.RelayProtocol)
	b = appendStringField(b, `,"protocol":`, s.Protocol)
	b = appendStringField(b, `,"address":`, s.Address)
	b = appendStringField(b, `,"ip":`, s.IP)
	b = appendFloatField(b, &err, `,"port":`, s.Port)
	b = appendStringField(b, `,"networkType":`, s.NetworkType)
	b = appendStringField(b, `,"url":`, s.URL)
	b = appendStringField(b, `,"mimeType":`, s.MimeType)
	b = appendFloatField(b, &err, `,"clockRate":`, s.ClockRate)
	return append(b, '}'), err
}

// The field appenders below leave out a zero value, as omitempty does;
// appendStringField is in encode.go. After an error (a NaN or infinite
// number) *err is set and the rest are skipped.

func appendFloatField(b []byte, err *error, key string, f float64) []byte {
	if f != 0 && *err == nil {
		b, *err = appendFloat(append(b, key...), f)
	}
	return b
}

func appendIntField(b []byte, key string, n int64) []byte {
	if n != 0 {
		b = strconv.AppendInt(append(b, key...), n, 10)
	}
	return b
}

func appendTrueField(b []byte, key string, v bool) []byte {
	if v {
		b = append(append(b, key...), "true"...)
	}
	return b
}

func appendMapField(b []byte, err *error, key string, m map[string]float64) []byte {
	if len(m) > 0 && *err == nil {
		b, *err = appendJSON(append(b, key...), m)
	}
	return b
}
