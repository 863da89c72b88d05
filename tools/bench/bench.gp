# Bar chart of tools/bench.py's results: per firmware, the median time from
# QEMU start to the kernel's first console line and to the test init, with
# min-to-max whiskers (drawn as vectors: yerrorbars leave a blank disc
# at the median); the median is written above each bar.
#   gnuplot -e "datafile='results/bench.dat'; outfile='results/bench.png'; runs=10; note='...'" bench.gp
# note: a second title line, the mmuon build (NOT FOR PUBLISHING when dirty).
# datafile columns: "label" kernel_med kernel_min kernel_max init_med init_min init_max

if (!exists("runs")) runs = 0
# pngcairo draws anti-aliased text; gnuplot-nox may lack it: plain png then.
if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 1000,560 noenhanced font "sans,11"
} else {
	set terminal png size 1000,560 noenhanced
}
set output outfile

if (!exists("note")) note = ""
set title sprintf("Boot time under QEMU TCG, median of %d with min/max (same kernel and initramfs)\n%s", runs, note)
set ylabel "seconds since QEMU start"
set yrange [0:*]
set offsets 0.5, 0.5, graph 0.06, 0
set grid ytics
set key top left
set xtics scale 0
set style fill solid 0.85 border -1
set boxwidth 0.36

plot datafile using 0:(1/0):xtic(1) notitle, \
     ''       using ($0 - 0.19):2 with boxes lc rgb "#4477aa" title "kernel's first line", \
     ''       using ($0 - 0.19):3:(0):($4 - $3) with vectors heads size screen 0.008,90 lc rgb "black" notitle, \
     ''       using ($0 - 0.19):4:(sprintf("%.2f", $2)) with labels offset 0,0.7 tc rgb "black" notitle, \
     ''       using ($0 + 0.19):5 with boxes lc rgb "#ee7733" title "test init", \
     ''       using ($0 + 0.19):6:(0):($7 - $6) with vectors heads size screen 0.008,90 lc rgb "black" notitle, \
     ''       using ($0 + 0.19):7:(sprintf("%.2f", $5)) with labels offset 0,0.7 tc rgb "black" notitle
