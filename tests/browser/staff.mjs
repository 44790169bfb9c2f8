// Browser journeys of a staff member (承办人) and a supervisor (负责人), in Debian's Chromium through
// playwright-core, against a running gongkai server with the accounts clerk and head (see
// tests/e2e/browser_test.cpp). Env: GONGKAI_URL, GONGKAI_SHOTS, GONGKAI_PASSWORD.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.GONGKAI_URL;
const shots = process.env.GONGKAI_SHOTS;
const password = process.env.GONGKAI_PASSWORD;
mkdirSync(shots, { recursive: true });
const step = (name) => console.log(`staff journey: ${name}`);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});

// An application filed through the API, as a citizen would.
async function file(description) {
  const r = await fetch(`${base}/api/v1/requests`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ category: 'natural_person', name: '王芳', id_type: 'resident_id', id_number: '11010519491231002X',
      phone: '13800138000', address: '北京市东城区某街道1号', description, info_form: 'electronic', delivery: 'download' }),
  });
  assert.equal(r.status, 201);
  return r.json();
}

async function login(page, user) {
  await page.goto(`${base}/login`);
  await page.fill('#f-username', user);
  await page.fill('#f-password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, '/staff');
}

// Submits one action form on the case page and waits for the page to come back.
async function act(page, event, fields = {}) {
  const form = page.locator(`#action-${event}`);
  for (const [name, value] of Object.entries(fields)) {
    const input = form.locator(`[name=${name}]`);
    if (await input.evaluate((el) => el.tagName) === 'SELECT') await input.selectOption(value);
    else await input.fill(value);
  }
  await Promise.all([page.waitForNavigation(), form.locator('button').click()]);
  const error = page.locator('#action-error');
  if (await error.count()) throw new Error(`${event} refused: ${await error.innerText()}`);
}

try {
  const first = await file('2025年本区老旧小区改造项目的批复文件');
  const second = await file('某地块的土地出让合同');
  const staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  const staff = await staffContext.newPage();
  const bossContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  const boss = await bossContext.newPage();

  step('the staff member logs in and sees the queue, personal data masked');
  await login(staff, 'clerk');
  const queue = await staff.innerText('table.queue');
  assert.match(queue, new RegExp(first.tracking_no));
  assert.ok(!queue.includes('11010519491231002X'));
  assert.ok(queue.includes('1101**********002X'));
  await staff.screenshot({ path: `${shots}/staff-1-queue.png`, fullPage: true });

  step('claims the first case and asks once for a correction');
  await staff.click(`a[href="/staff/cases/${first.tracking_no}"]`);
  await Promise.all([staff.waitForNavigation(), staff.click('#claim')]);
  assert.equal((await staff.innerText('#assignee')).trim(), 'clerk');
  await act(staff, 'request_correction', { items: '请写明批复文件的文号或年份' });
  assert.equal((await staff.innerText('#state')).trim(), '待补正');
  assert.match(await staff.innerText('#letters'), /补正告知书/);
  await staff.screenshot({ path: `${shots}/staff-2-correction.png`, fullPage: true });

  step('claims the second case: accepts, consults a third party, asks for an extension');
  await staff.goto(`${base}/staff/cases/${second.tracking_no}`);
  await Promise.all([staff.waitForNavigation(), staff.click('#claim')]);
  await act(staff, 'accept');
  assert.equal((await staff.innerText('#state')).trim(), '审查办理中');
  await act(staff, 'consult', { party: '某某置业有限公司' });
  assert.equal((await staff.innerText('#state')).trim(), '征求意见中');
  await act(staff, 'consultation_answered', { reason: '第三方同意公开' });
  await act(staff, 'request_extension', { days: '10', reason: '需调取历史档案' });
  assert.equal(await staff.locator('#action-approve_extension').count(), 0);  // a supervisor's step

  step('the supervisor logs in, approves the extension');
  await login(boss, 'head');
  await boss.goto(`${base}/staff/dashboard`);
  assert.match(await boss.innerText('#extensions'), new RegExp(second.tracking_no));
  await boss.click(`#extensions a[href="/staff/cases/${second.tracking_no}"]`);
  await act(boss, 'approve_extension');
  assert.match(await boss.innerText('#letters'), /延期答复告知书/);

  step('the staff member answers, and reads the reply letter');
  await staff.goto(`${base}/staff/cases/${second.tracking_no}`);
  assert.match(await staff.innerText('#timeline'), /批准延期/);
  await act(staff, 'answer', { outcome: '2', reply_text: '现提供合同文本，第5页涉及商业秘密已作处理。',
                               legal_basis: '《中华人民共和国政府信息公开条例》第三十七条', withheld: '第5页：第三方商业秘密' });
  assert.equal((await staff.innerText('#state')).trim(), '已答复');
  await staff.screenshot({ path: `${shots}/staff-3-answered.png`, fullPage: true });
  const replyLink = staff.locator('#letters a', { hasText: '答复书' });
  await Promise.all([staff.waitForNavigation(), replyLink.click()]);
  assert.match(await staff.innerText('#decision'), /能够作区分处理/);
  assert.match(await staff.innerText('#remedies'), /60日内/);
  await staff.emulateMedia({ media: 'print' });
  await staff.screenshot({ path: `${shots}/staff-4-reply-letter-print.png`, fullPage: true });
  await staff.emulateMedia({ media: 'screen' });
  await staff.goto(`${base}/staff/cases/${second.tracking_no}`);
  await act(staff, 'close');
  assert.equal((await staff.innerText('#state')).trim(), '已归档');

  step('the supervisor registers a paper application received 40 days ago: it is overdue');
  const day = (n) => new Date(Date.now() + 8 * 3600e3 - n * 86400e3).toISOString().slice(0, 10);
  await boss.goto(`${base}/staff/register`);
  await boss.selectOption('#f-channel', 'registered_mail');
  await boss.fill('#f-sent_on', day(42));
  await boss.fill('#f-received_on', day(40));
  await boss.fill('#f-name', '李雷');
  await boss.fill('#f-id_number', '11010519491231002X');
  await boss.fill('#f-phone', '13900139000');
  await boss.fill('#f-address', '福州市鼓楼区某路2号');
  await boss.fill('#f-description', '2024年度某项目资金拨付文件');
  await Promise.all([boss.waitForNavigation(), boss.click('form button[type=submit]')]);
  const overdueNo = (await boss.innerText('#tracking-no')).trim();
  await boss.goto(`${base}/staff/dashboard`);
  assert.match(await boss.innerText('#overdue'), new RegExp(overdueNo));
  await boss.screenshot({ path: `${shots}/supervisor-1-dashboard.png`, fullPage: true });

  step('the supervisor reassigns the overdue case to the staff member');
  await boss.click(`#overdue a[href="/staff/cases/${overdueNo}"]`);
  await boss.selectOption('#f-assignee', 'clerk');
  await Promise.all([boss.waitForNavigation(), boss.click('form.assign button')]);
  assert.equal((await boss.innerText('#assignee')).trim(), 'clerk');
  await staff.goto(`${base}/staff?view=mine&overdue=1`);
  assert.match(await staff.innerText('table.queue'), new RegExp(overdueNo));
  assert.equal(await staff.locator('tr.overdue').count(), 1);
  await staff.screenshot({ path: `${shots}/staff-5-overdue-in-queue.png`, fullPage: true });
  console.log(`staff journey: done; screenshots in ${shots}`);
} finally {
  await browser.close();
}
