// sigmoidsLinearAVX2 computes sigmoid(a + b·x) (calibration.go) four
// values at a time with AVX2 and FMA: the operations of the Go expression,
// of expFMA (math.Exp's FMA path) and of sigmoid, lane by lane in the same
// order, so every value is sigmoid's to the bit (TestSigmoidsLinear, and a
// check at start-up: sigmoidAVX2Path).

#include "textflag.h"

DATA sigmoidconst<>+0(SB)/8, $0x8000000000000000
DATA sigmoidconst<>+8(SB)/8, $0x8000000000000000
DATA sigmoidconst<>+16(SB)/8, $0x8000000000000000
DATA sigmoidconst<>+24(SB)/8, $0x8000000000000000
DATA sigmoidconst<>+32(SB)/8, $1.4426950408889634073599246810018920
DATA sigmoidconst<>+40(SB)/8, $1.4426950408889634073599246810018920
DATA sigmoidconst<>+48(SB)/8, $1.4426950408889634073599246810018920
DATA sigmoidconst<>+56(SB)/8, $1.4426950408889634073599246810018920
DATA sigmoidconst<>+64(SB)/8, $-0.69314718055966295651160180568695068359375
DATA sigmoidconst<>+72(SB)/8, $-0.69314718055966295651160180568695068359375
DATA sigmoidconst<>+80(SB)/8, $-0.69314718055966295651160180568695068359375
DATA sigmoidconst<>+88(SB)/8, $-0.69314718055966295651160180568695068359375
DATA sigmoidconst<>+96(SB)/8, $-0.28235290563031577122588448175013436025525412068e-12
DATA sigmoidconst<>+104(SB)/8, $-0.28235290563031577122588448175013436025525412068e-12
DATA sigmoidconst<>+112(SB)/8, $-0.28235290563031577122588448175013436025525412068e-12
DATA sigmoidconst<>+120(SB)/8, $-0.28235290563031577122588448175013436025525412068e-12
DATA sigmoidconst<>+128(SB)/8, $0.0625
DATA sigmoidconst<>+136(SB)/8, $0.0625
DATA sigmoidconst<>+144(SB)/8, $0.0625
DATA sigmoidconst<>+152(SB)/8, $0.0625
DATA sigmoidconst<>+160(SB)/8, $2.4801587301587301587e-5
DATA sigmoidconst<>+168(SB)/8, $2.4801587301587301587e-5
DATA sigmoidconst<>+176(SB)/8, $2.4801587301587301587e-5
DATA sigmoidconst<>+184(SB)/8, $2.4801587301587301587e-5
DATA sigmoidconst<>+192(SB)/8, $1.9841269841269841270e-4
DATA sigmoidconst<>+200(SB)/8, $1.9841269841269841270e-4
DATA sigmoidconst<>+208(SB)/8, $1.9841269841269841270e-4
DATA sigmoidconst<>+216(SB)/8, $1.9841269841269841270e-4
DATA sigmoidconst<>+224(SB)/8, $1.3888888888888888889e-3
DATA sigmoidconst<>+232(SB)/8, $1.3888888888888888889e-3
DATA sigmoidconst<>+240(SB)/8, $1.3888888888888888889e-3
DATA sigmoidconst<>+248(SB)/8, $1.3888888888888888889e-3
DATA sigmoidconst<>+256(SB)/8, $8.3333333333333333333e-3
DATA sigmoidconst<>+264(SB)/8, $8.3333333333333333333e-3
DATA sigmoidconst<>+272(SB)/8, $8.3333333333333333333e-3
DATA sigmoidconst<>+280(SB)/8, $8.3333333333333333333e-3
DATA sigmoidconst<>+288(SB)/8, $4.1666666666666666667e-2
DATA sigmoidconst<>+296(SB)/8, $4.1666666666666666667e-2
DATA sigmoidconst<>+304(SB)/8, $4.1666666666666666667e-2
DATA sigmoidconst<>+312(SB)/8, $4.1666666666666666667e-2
DATA sigmoidconst<>+320(SB)/8, $1.6666666666666666667e-1
DATA sigmoidconst<>+328(SB)/8, $1.6666666666666666667e-1
DATA sigmoidconst<>+336(SB)/8, $1.6666666666666666667e-1
DATA sigmoidconst<>+344(SB)/8, $1.6666666666666666667e-1
DATA sigmoidconst<>+352(SB)/8, $0.5
DATA sigmoidconst<>+360(SB)/8, $0.5
DATA sigmoidconst<>+368(SB)/8, $0.5
DATA sigmoidconst<>+376(SB)/8, $0.5
DATA sigmoidconst<>+384(SB)/8, $1.0
DATA sigmoidconst<>+392(SB)/8, $1.0
DATA sigmoidconst<>+400(SB)/8, $1.0
DATA sigmoidconst<>+408(SB)/8, $1.0
DATA sigmoidconst<>+416(SB)/8, $2.0
DATA sigmoidconst<>+424(SB)/8, $2.0
DATA sigmoidconst<>+432(SB)/8, $2.0
DATA sigmoidconst<>+440(SB)/8, $2.0
DATA sigmoidconst<>+448(SB)/8, $6755399441055744.0
DATA sigmoidconst<>+456(SB)/8, $6755399441055744.0
DATA sigmoidconst<>+464(SB)/8, $6755399441055744.0
DATA sigmoidconst<>+472(SB)/8, $6755399441055744.0
DATA sigmoidconst<>+480(SB)/8, $0x3FF
DATA sigmoidconst<>+488(SB)/8, $0x3FF
DATA sigmoidconst<>+496(SB)/8, $0x3FF
DATA sigmoidconst<>+504(SB)/8, $0x3FF
DATA sigmoidconst<>+512(SB)/8, $0x7FFFFFFFFFFFFFFF
DATA sigmoidconst<>+520(SB)/8, $0x7FFFFFFFFFFFFFFF
DATA sigmoidconst<>+528(SB)/8, $0x7FFFFFFFFFFFFFFF
DATA sigmoidconst<>+536(SB)/8, $0x7FFFFFFFFFFFFFFF
DATA sigmoidconst<>+544(SB)/8, $700.0
DATA sigmoidconst<>+552(SB)/8, $700.0
DATA sigmoidconst<>+560(SB)/8, $700.0
DATA sigmoidconst<>+568(SB)/8, $700.0
GLOBL sigmoidconst<>(SB), RODATA|NOPTR, $576

// func sigmoidsLinearAVX2(dst, x []float64, a, b float64) (ok bool)
// dst[i] = sigmoid(a + b*x[i]) for i < len(x)&^3, with len(dst) >= len(x);
// ok is false if some such |a + b*x[i]| is above 700 or NaN, and dst is
// then not usable.
TEXT ·sigmoidsLinearAVX2(SB), NOSPLIT, $0-65
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	VBROADCASTSD a+48(FP), Y8
	VBROADCASTSD b+56(FP), Y9
	VXORPD Y10, Y10, Y10              // lanes out of range so far
	VMOVUPD sigmoidconst<>+384(SB), Y11
	VMOVUPD sigmoidconst<>+416(SB), Y12
	VMOVUPD sigmoidconst<>+0(SB), Y13
	VMOVUPD sigmoidconst<>+512(SB), Y14
	SHRQ $2, CX
	JZ   done

loop:
	VMOVUPD (SI), Y0
	VMULPD  Y0, Y9, Y0                // b*x
	VADDPD  Y0, Y8, Y0                // t = a + b*x
	VANDPD  Y14, Y0, Y1
	VCMPPD  $0x16, sigmoidconst<>+544(SB), Y1, Y1 // !(|t| <= 700): NLE_UQ, NaN included
	VORPD   Y1, Y10, Y10
	VORPD   Y13, Y0, Y1               // x = -|t|
	VMULPD  sigmoidconst<>+32(SB), Y1, Y2
	VROUNDPD $0, Y2, Y2               // k = RoundToEven(log2e*x)
	VFMADD231PD sigmoidconst<>+64(SB), Y2, Y1 // x = FMA(-ln2U, k, x)
	VFMADD231PD sigmoidconst<>+96(SB), Y2, Y1 // x = FMA(-ln2L, k, x)
	VMULPD  sigmoidconst<>+128(SB), Y1, Y1  // x *= 0.0625
	VMOVUPD sigmoidconst<>+160(SB), Y3
	VFMADD213PD sigmoidconst<>+192(SB), Y1, Y3   // p = FMA(c7, x, c6)
	VFMADD213PD sigmoidconst<>+224(SB), Y1, Y3   // p = FMA(p, x, c5)
	VFMADD213PD sigmoidconst<>+256(SB), Y1, Y3
	VFMADD213PD sigmoidconst<>+288(SB), Y1, Y3
	VFMADD213PD sigmoidconst<>+320(SB), Y1, Y3
	VFMADD213PD sigmoidconst<>+352(SB), Y1, Y3
	VFMADD213PD Y11, Y1, Y3           // p = FMA(p, x, 1)
	VMULPD  Y3, Y1, Y1                // x *= p
	VADDPD  Y12, Y1, Y4
	VMULPD  Y4, Y1, Y1                // x *= x + 2
	VADDPD  Y12, Y1, Y4
	VMULPD  Y4, Y1, Y1
	VADDPD  Y12, Y1, Y4
	VMULPD  Y4, Y1, Y1
	VADDPD  Y12, Y1, Y4
	VFMADD213PD Y11, Y1, Y4           // x = FMA(x, x+2, 1)
	VADDPD  sigmoidconst<>+448(SB), Y2, Y6    // k in the low bits
	VPADDQ  sigmoidconst<>+480(SB), Y6, Y6
	VPSLLQ  $52, Y6, Y6               // 2^k
	VMULPD  Y6, Y4, Y5                // e = exp(-|t|)
	VBLENDVPD Y0, Y5, Y11, Y7         // numerator: e where t < 0 (or -0, where e = 1), else 1
	VADDPD  Y11, Y5, Y5               // 1 + e
	VDIVPD  Y5, Y7, Y7
	VMOVUPD Y7, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  loop

done:
	VMOVMSKPD Y10, AX
	VZEROUPPER
	TESTQ AX, AX
	SETEQ ok+64(FP)
	RET
