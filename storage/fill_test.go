package storage_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

var fillTimeType = reflect.TypeFor[time.Time]()

// fill sets every field reachable from v to a distinct non-zero value: strings,
// numbers, booleans, UTC times, pointers and two-element slices. A round-trip
// test that fills a value this way covers fields added after it was written.
func fillAll(v reflect.Value, n *int) {
	*n++
	switch {
	case v.Type() == fillTimeType:
		v.Set(reflect.ValueOf(pt0.Add(time.Duration(*n) * time.Second)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("v%d", *n))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := 0; i < 2; i++ {
			fillAll(v.Index(i), n)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fillAll(v.Field(i), n)
		}
	default:
		panic("fill: unsupported kind " + v.Kind().String())
	}
}

// assertNoZero fails when some field reachable from v is its zero value.
func assertFilled(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	if v.IsZero() {
		t.Fatalf("%s is zero: fill does not cover it", path)
	}
	switch {
	case v.Type() == fillTimeType:
	case v.Kind() == reflect.Pointer:
		assertFilled(t, v.Elem(), path)
	case v.Kind() == reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			assertFilled(t, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case v.Kind() == reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			assertFilled(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	}
}
