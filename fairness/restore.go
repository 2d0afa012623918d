package fairness

import (
	"reflect"
	"strings"
)

// RestoreReasons sets, after JSON decoding, the Reason of every undefined
// Estimate found anywhere in *v (structs, pointers, slices, arrays and
// map values) from the "undefined" map of the struct holding it, keyed by
// the Estimate's JSON name: an undefined Estimate encodes as null and its
// reason travels in that map, so a decoded result reads as the original.
// v must be a pointer.
func RestoreReasons(v any) {
	restore(reflect.ValueOf(v))
}

var estimateType = reflect.TypeOf(Estimate{})

func restore(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			restore(v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			restore(v.Index(i))
		}
	case reflect.Map:
		if v.Type().Elem().Kind() != reflect.Struct && v.Type().Elem().Kind() != reflect.Slice {
			return
		}
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			restore(e)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		if v.Type() == estimateType || !v.CanSet() {
			return
		}
		t := v.Type()
		var undefined map[string]string
		if f, ok := t.FieldByName("Undefined"); ok && f.Type == reflect.TypeOf(map[string]string{}) {
			undefined = v.FieldByIndex(f.Index).Interface().(map[string]string)
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if f.Type == estimateType {
				name := strings.Split(f.Tag.Get("json"), ",")[0]
				if e := fv.Addr().Interface().(*Estimate); !e.Defined && e.Reason == "" && undefined != nil {
					e.Reason = undefined[name]
				}
				continue
			}
			restore(fv)
		}
	}
}
