package alert

import (
	"slices"

	"github.com/calltop/calltop/diagnose"
)

// One problem, one alert: a symptom whose cause is open for the same
// person folds into the cause's alert ("also: ...") instead of firing on
// its own. The first open cause in the list takes it.
var causesOf = map[string][]string{
	diagnose.RuleMOSLow:           {diagnose.RuleRTTHigh, diagnose.RuleLossInbound, diagnose.RuleJitterHigh},
	diagnose.RuleConcealmentHigh:  {diagnose.RuleRTTHigh, diagnose.RuleLossInbound, diagnose.RuleJitterHigh},
	diagnose.RuleBandwidthLimited: {diagnose.RuleLossOutbound},
	diagnose.RuleVideoPoor:        {diagnose.RuleCPULimited},
}

// CausesOf returns the rules a symptom rule folds under (nil for a rule
// that is not a symptom).
func CausesOf(rule string) []string { return causesOf[rule] }

// person names one participant of one call.
type person struct{ call, participant string }

// folding works out, for one Observe, which findings are symptoms of an
// open cause: symptom finding key -> the cause finding's key.
type folding struct {
	into map[string]string   // symptom key -> cause key
	also map[string][]string // cause key -> the symptoms' messages
}

// fold finds the symptoms in open whose cause is open for the same person
// (both at or above min severity).
func fold(open []diagnose.Finding, min diagnose.Severity) folding {
	causes := map[person]map[string]string{} // person -> cause rule -> key
	for i := range open {
		f := &open[i]
		if !f.Open() || f.Severity < min || f.Subject.ParticipantID == "" {
			continue
		}
		p := person{f.Subject.CallID, f.Subject.ParticipantID}
		if causes[p] == nil {
			causes[p] = map[string]string{}
		}
		if _, ok := causes[p][f.Rule]; !ok {
			causes[p][f.Rule] = f.Key()
		}
	}
	fo := folding{into: map[string]string{}, also: map[string][]string{}}
	for i := range open {
		f := &open[i]
		cs := causesOf[f.Rule]
		if cs == nil || !f.Open() || f.Severity < min {
			continue
		}
		have := causes[person{f.Subject.CallID, f.Subject.ParticipantID}]
		for _, c := range cs {
			if key, ok := have[c]; ok {
				fo.into[f.Key()] = key
				fo.also[key] = append(fo.also[key], f.Message)
				break
			}
		}
	}
	return fo
}

// setAlso records on a cause's alert the symptoms folded into it.
func (b *Book) setAlso(a *Alert, also []string) {
	slices.Sort(also)
	if !slices.Equal(a.Also, also) {
		a.Also = also
		b.version++
	}
}
