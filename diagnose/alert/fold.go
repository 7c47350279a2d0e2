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

// person names one participant of one call.
type person struct{ call, participant string }

// folding works out, for one Observe, which findings are symptoms of an
// open cause: symptom finding key -> the cause finding's key.
type folding struct {
	into map[string]string   // symptom key -> cause key
	also map[string][]string // cause key -> the symptoms' messages
}

// fold finds the symptoms in open whose cause is open for the same person
// (both at or above min severity). It costs nothing when no symptom is
// open, and keys only the findings it folds.
func fold(open []diagnose.Finding, min diagnose.Severity) folding {
	live := func(f *diagnose.Finding) bool {
		return f.Open() && f.Severity >= min && f.Subject.ParticipantID != ""
	}
	var symptoms []int
	who := map[person]bool{}
	for i := range open {
		if f := &open[i]; causesOf[f.Rule] != nil && live(f) {
			symptoms = append(symptoms, i)
			who[person{f.Subject.CallID, f.Subject.ParticipantID}] = true
		}
	}
	if len(symptoms) == 0 {
		return folding{}
	}
	causes := map[person]map[string]int{} // person -> cause rule -> finding
	for i := range open {
		f := &open[i]
		p := person{f.Subject.CallID, f.Subject.ParticipantID}
		if !who[p] || !live(f) {
			continue
		}
		if causes[p] == nil {
			causes[p] = map[string]int{}
		}
		if _, ok := causes[p][f.Rule]; !ok {
			causes[p][f.Rule] = i
		}
	}
	fo := folding{into: map[string]string{}, also: map[string][]string{}}
	for _, i := range symptoms {
		f := &open[i]
		have := causes[person{f.Subject.CallID, f.Subject.ParticipantID}]
		for _, c := range causesOf[f.Rule] {
			if j, ok := have[c]; ok {
				key := open[j].Key()
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
