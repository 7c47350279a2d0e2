package feed

import "strconv"

// Code generated from the Stat struct in protocol.go; keep in step with it
// (TestAppendMessageMatchesEncodingJSON fails when a field is missing).

// appendStat appends s as encoding/json would.
func appendStat(b []byte, s *Stat) ([]byte, error) {
	var err error
	c := byte('{')
	b = appendString(append(append(b, c), `"id":`...), s.ID)
	c = ','
	b = appendString(append(append(b, c), `"type":`...), s.Type)
	c = ','
	if s.Timestamp != 0 {
		b = append(append(b, c), `"timestamp":`...)
		if b, err = appendFloat(b, s.Timestamp); err != nil {
			return b, err
		}
		c = ','
	}
	if s.SSRC != 0 {
		b = strconv.AppendInt(append(append(b, c), `"ssrc":`...), s.SSRC, 10)
		c = ','
	}
	if s.Kind != "" {
		b = appendString(append(append(b, c), `"kind":`...), s.Kind)
		c = ','
	}
	if s.MediaType != "" {
		b = appendString(append(append(b, c), `"mediaType":`...), s.MediaType)
		c = ','
	}
	if s.TransportID != "" {
		b = appendString(append(append(b, c), `"transportId":`...), s.TransportID)
		c = ','
	}
	if s.CodecID != "" {
		b = appendString(append(append(b, c), `"codecId":`...), s.CodecID)
		c = ','
	}
	if s.LocalID != "" {
		b = appendString(append(append(b, c), `"localId":`...), s.LocalID)
		c = ','
	}
	if s.RemoteID != "" {
		b = appendString(append(append(b, c), `"remoteId":`...), s.RemoteID)
		c = ','
	}
	if s.Mid != "" {
		b = appendString(append(append(b, c), `"mid":`...), s.Mid)
		c = ','
	}
	if s.BytesReceived != 0 {
		b = append(append(b, c), `"bytesReceived":`...)
		if b, err = appendFloat(b, s.BytesReceived); err != nil {
			return b, err
		}
		c = ','
	}
	if s.BytesSent != 0 {
		b = append(append(b, c), `"bytesSent":`...)
		if b, err = appendFloat(b, s.BytesSent); err != nil {
			return b, err
		}
		c = ','
	}
	if s.PacketsReceived != 0 {
		b = append(append(b, c), `"packetsReceived":`...)
		if b, err = appendFloat(b, s.PacketsReceived); err != nil {
			return b, err
		}
		c = ','
	}
	if s.PacketsSent != 0 {
		b = append(append(b, c), `"packetsSent":`...)
		if b, err = appendFloat(b, s.PacketsSent); err != nil {
			return b, err
		}
		c = ','
	}
	if s.PacketsLost != 0 {
		b = append(append(b, c), `"packetsLost":`...)
		if b, err = appendFloat(b, s.PacketsLost); err != nil {
			return b, err
		}
		c = ','
	}
	if s.Jitter != 0 {
		b = append(append(b, c), `"jitter":`...)
		if b, err = appendFloat(b, s.Jitter); err != nil {
			return b, err
		}
		c = ','
	}
	if s.RoundTripTime != 0 {
		b = append(append(b, c), `"roundTripTime":`...)
		if b, err = appendFloat(b, s.RoundTripTime); err != nil {
			return b, err
		}
		c = ','
	}
	if s.FractionLost != 0 {
		b = append(append(b, c), `"fractionLost":`...)
		if b, err = appendFloat(b, s.FractionLost); err != nil {
			return b, err
		}
		c = ','
	}
	if s.JitterBufferDelay != 0 {
		b = append(append(b, c), `"jitterBufferDelay":`...)
		if b, err = appendFloat(b, s.JitterBufferDelay); err != nil {
			return b, err
		}
		c = ','
	}
	if s.JitterBufferTargetDelay != 0 {
		b = append(append(b, c), `"jitterBufferTargetDelay":`...)
		if b, err = appendFloat(b, s.JitterBufferTargetDelay); err != nil {
			return b, err
		}
		c = ','
	}
	if s.JitterBufferEmittedCount != 0 {
		b = append(append(b, c), `"jitterBufferEmittedCount":`...)
		if b, err = appendFloat(b, s.JitterBufferEmittedCount); err != nil {
			return b, err
		}
		c = ','
	}
	if s.ConcealedSamples != 0 {
		b = append(append(b, c), `"concealedSamples":`...)
		if b, err = appendFloat(b, s.ConcealedSamples); err != nil {
			return b, err
		}
		c = ','
	}
	if s.SilentConcealedSamples != 0 {
		b = append(append(b, c), `"silentConcealedSamples":`...)
		if b, err = appendFloat(b, s.SilentConcealedSamples); err != nil {
			return b, err
		}
		c = ','
	}
	if s.TotalSamplesReceived != 0 {
		b = append(append(b, c), `"totalSamplesReceived":`...)
		if b, err = appendFloat(b, s.TotalSamplesReceived); err != nil {
			return b, err
		}
		c = ','
	}
	if s.InsertedSamplesForDeceleration != 0 {
		b = append(append(b, c), `"insertedSamplesForDeceleration":`...)
		if b, err = appendFloat(b, s.InsertedSamplesForDeceleration); err != nil {
			return b, err
		}
		c = ','
	}
	if s.RemovedSamplesForAcceleration != 0 {
		b = append(append(b, c), `"removedSamplesForAcceleration":`...)
		if b, err = appendFloat(b, s.RemovedSamplesForAcceleration); err != nil {
			return b, err
		}
		c = ','
	}
	if s.FramesReceived != 0 {
		b = append(append(b, c), `"framesReceived":`...)
		if b, err = appendFloat(b, s.FramesReceived); err != nil {
			return b, err
		}
		c = ','
	}
	if s.FramesDecoded != 0 {
		b = append(append(b, c), `"framesDecoded":`...)
		if b, err = appendFloat(b, s.FramesDecoded); err != nil {
			return b, err
		}
		c = ','
	}
	if s.FramesDropped != 0 {
		b = append(append(b, c), `"framesDropped":`...)
		if b, err = appendFloat(b, s.FramesDropped); err != nil {
			return b, err
		}
		c = ','
	}
	if s.FramesSent != 0 {
		b = append(append(b, c), `"framesSent":`...)
		if b, err = appendFloat(b, s.FramesSent); err != nil {
			return b, err
		}
		c = ','
	}
	if s.FramesEncoded != 0 {
		b = append(append(b, c), `"framesEncoded":`...)
		if b, err = appendFloat(b, s.FramesEncoded); err != nil {
			return b, err
		}
		c = ','
	}
	if s.FramesPerSecond != 0 {
		b = append(append(b, c), `"framesPerSecond":`...)
		if b, err = appendFloat(b, s.FramesPerSecond); err != nil {
			return b, err
		}
		c = ','
	}
	if s.FrameWidth != 0 {
		b = append(append(b, c), `"frameWidth":`...)
		if b, err = appendFloat(b, s.FrameWidth); err != nil {
			return b, err
		}
		c = ','
	}
	if s.FrameHeight != 0 {
		b = append(append(b, c), `"frameHeight":`...)
		if b, err = appendFloat(b, s.FrameHeight); err != nil {
			return b, err
		}
		c = ','
	}
	if s.FreezeCount != 0 {
		b = append(append(b, c), `"freezeCount":`...)
		if b, err = appendFloat(b, s.FreezeCount); err != nil {
			return b, err
		}
		c = ','
	}
	if s.TotalFreezesDuration != 0 {
		b = append(append(b, c), `"totalFreezesDuration":`...)
		if b, err = appendFloat(b, s.TotalFreezesDuration); err != nil {
			return b, err
		}
		c = ','
	}
	if s.PauseCount != 0 {
		b = append(append(b, c), `"pauseCount":`...)
		if b, err = appendFloat(b, s.PauseCount); err != nil {
			return b, err
		}
		c = ','
	}
	if s.TotalPausesDuration != 0 {
		b = append(append(b, c), `"totalPausesDuration":`...)
		if b, err = appendFloat(b, s.TotalPausesDuration); err != nil {
			return b, err
		}
		c = ','
	}
	if s.NackCount != 0 {
		b = append(append(b, c), `"nackCount":`...)
		if b, err = appendFloat(b, s.NackCount); err != nil {
			return b, err
		}
		c = ','
	}
	if s.PliCount != 0 {
		b = append(append(b, c), `"pliCount":`...)
		if b, err = appendFloat(b, s.PliCount); err != nil {
			return b, err
		}
		c = ','
	}
	if s.FirCount != 0 {
		b = append(append(b, c), `"firCount":`...)
		if b, err = appendFloat(b, s.FirCount); err != nil {
			return b, err
		}
		c = ','
	}
	if s.KeyFramesDecoded != 0 {
		b = append(append(b, c), `"keyFramesDecoded":`...)
		if b, err = appendFloat(b, s.KeyFramesDecoded); err != nil {
			return b, err
		}
		c = ','
	}
	if s.TargetBitrate != 0 {
		b = append(append(b, c), `"targetBitrate":`...)
		if b, err = appendFloat(b, s.TargetBitrate); err != nil {
			return b, err
		}
		c = ','
	}
	if s.QualityLimitationReason != "" {
		b = appendString(append(append(b, c), `"qualityLimitationReason":`...), s.QualityLimitationReason)
		c = ','
	}
	if len(s.QualityLimitationDurations) > 0 {
		b = append(append(b, c), `"qualityLimitationDurations":`...)
		if b, err = appendJSON(b, s.QualityLimitationDurations); err != nil {
			return b, err
		}
		c = ','
	}
	if s.RetransmittedBytesSent != 0 {
		b = append(append(b, c), `"retransmittedBytesSent":`...)
		if b, err = appendFloat(b, s.RetransmittedBytesSent); err != nil {
			return b, err
		}
		c = ','
	}
	if s.TrackIdentifier != "" {
		b = appendString(append(append(b, c), `"trackIdentifier":`...), s.TrackIdentifier)
		c = ','
	}
	if s.AudioLevel != 0 {
		b = append(append(b, c), `"audioLevel":`...)
		if b, err = appendFloat(b, s.AudioLevel); err != nil {
			return b, err
		}
		c = ','
	}
	if s.TotalAudioEnergy != 0 {
		b = append(append(b, c), `"totalAudioEnergy":`...)
		if b, err = appendFloat(b, s.TotalAudioEnergy); err != nil {
			return b, err
		}
		c = ','
	}
	if s.TotalSamplesDuration != 0 {
		b = append(append(b, c), `"totalSamplesDuration":`...)
		if b, err = appendFloat(b, s.TotalSamplesDuration); err != nil {
			return b, err
		}
		c = ','
	}
	if s.State != "" {
		b = appendString(append(append(b, c), `"state":`...), s.State)
		c = ','
	}
	if s.Nominated {
		b = append(append(b, c), `"nominated":`...)
		b = append(b, "true"...)
		c = ','
	}
	if s.Selected {
		b = append(append(b, c), `"selected":`...)
		b = append(b, "true"...)
		c = ','
	}
	if s.LocalCandidateID != "" {
		b = appendString(append(append(b, c), `"localCandidateId":`...), s.LocalCandidateID)
		c = ','
	}
	if s.RemoteCandidateID != "" {
		b = appendString(append(append(b, c), `"remoteCandidateId":`...), s.RemoteCandidateID)
		c = ','
	}
	if s.CurrentRoundTripTime != 0 {
		b = append(append(b, c), `"currentRoundTripTime":`...)
		if b, err = appendFloat(b, s.CurrentRoundTripTime); err != nil {
			return b, err
		}
		c = ','
	}
	if s.TotalRoundTripTime != 0 {
		b = append(append(b, c), `"totalRoundTripTime":`...)
		if b, err = appendFloat(b, s.TotalRoundTripTime); err != nil {
			return b, err
		}
		c = ','
	}
	if s.ResponsesReceived != 0 {
		b = append(append(b, c), `"responsesReceived":`...)
		if b, err = appendFloat(b, s.ResponsesReceived); err != nil {
			return b, err
		}
		c = ','
	}
	if s.AvailableOutgoingBitrate != 0 {
		b = append(append(b, c), `"availableOutgoingBitrate":`...)
		if b, err = appendFloat(b, s.AvailableOutgoingBitrate); err != nil {
			return b, err
		}
		c = ','
	}
	if s.AvailableIncomingBitrate != 0 {
		b = append(append(b, c), `"availableIncomingBitrate":`...)
		if b, err = appendFloat(b, s.AvailableIncomingBitrate); err != nil {
			return b, err
		}
		c = ','
	}
	if s.SelectedCandidatePairID != "" {
		b = appendString(append(append(b, c), `"selectedCandidatePairId":`...), s.SelectedCandidatePairID)
		c = ','
	}
	if s.ICEState != "" {
		b = appendString(append(append(b, c), `"iceState":`...), s.ICEState)
		c = ','
	}
	if s.DTLSState != "" {
		b = appendString(append(append(b, c), `"dtlsState":`...), s.DTLSState)
		c = ','
	}
	if s.SelectedCandidatePairChanges != 0 {
		b = append(append(b, c), `"selectedCandidatePairChanges":`...)
		if b, err = appendFloat(b, s.SelectedCandidatePairChanges); err != nil {
			return b, err
		}
		c = ','
	}
	if s.CandidateType != "" {
		b = appendString(append(append(b, c), `"candidateType":`...), s.CandidateType)
		c = ','
	}
	if s.RelayProtocol != "" {
		b = appendString(append(append(b, c), `"relayProtocol":`...), s.RelayProtocol)
		c = ','
	}
	if s.Protocol != "" {
		b = appendString(append(append(b, c), `"protocol":`...), s.Protocol)
		c = ','
	}
	if s.Address != "" {
		b = appendString(append(append(b, c), `"address":`...), s.Address)
		c = ','
	}
	if s.IP != "" {
		b = appendString(append(append(b, c), `"ip":`...), s.IP)
		c = ','
	}
	if s.Port != 0 {
		b = append(append(b, c), `"port":`...)
		if b, err = appendFloat(b, s.Port); err != nil {
			return b, err
		}
		c = ','
	}
	if s.NetworkType != "" {
		b = appendString(append(append(b, c), `"networkType":`...), s.NetworkType)
		c = ','
	}
	if s.URL != "" {
		b = appendString(append(append(b, c), `"url":`...), s.URL)
		c = ','
	}
	if s.MimeType != "" {
		b = appendString(append(append(b, c), `"mimeType":`...), s.MimeType)
		c = ','
	}
	if s.ClockRate != 0 {
		b = append(append(b, c), `"clockRate":`...)
		if b, err = appendFloat(b, s.ClockRate); err != nil {
			return b, err
		}
		c = ','
	}
	if c == '{' {
		b = append(b, '{')
	}
	return append(b, '}'), nil
}
